#!/usr/bin/env node
/**
 * `mcf`, the console's command line (package.json "bin"; `npx mcf test <profile>`). The commands
 * live in lib/cli as TypeScript, shared with the app; scripts/server-runtime.mjs prepares Node to
 * run them. Ctrl-C cancels a running test, which is then still reported (exit code 1).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";

// The report is the CLI's output; the server log (JSON lines on stderr) only for warnings, unless asked for.
process.env.MCF_LOG_LEVEL ??= "warn";
const { projectRoot: root } = await import("./server-runtime.mjs");

/** Resolves once the text is handed to the OS, so process.exit() cannot cut it off. */
const write = (stream, text) => new Promise((resolve) => (text ? stream.write(text, () => resolve()) : resolve()));
let pending = Promise.resolve();
const io = {
  out: (text) => (pending = pending.then(() => write(process.stdout, text))),
  err: (text) => (pending = pending.then(() => write(process.stderr, text))),
  signal: undefined,
};

const controller = new AbortController();
io.signal = controller.signal;
process.once("SIGINT", () => controller.abort());
process.once("SIGTERM", () => controller.abort());

let code = 2;
try {
  const loaded = await import(pathToFileURL(path.join(root, "lib/cli/main.ts")).href);
  const main = loaded.main ?? loaded.default?.main;
  code = await main(process.argv.slice(2), io, process.cwd());
} catch (error) {
  // Import-time failures: an invalid environment (lib/env.ts explains which variable) or a broken install.
  const message =
    error instanceof Error && /^Invalid environment/.test(error.message)
      ? error.message
      : `could not start: ${error instanceof Error ? error.name : String(error)}`;
  io.err(`mcf: ${message}\n`);
  code = 2;
}
await pending;
// Open handles (a database client, keep-alive sockets of a cancelled request) must not keep the CLI alive.
process.exit(code);
