#!/usr/bin/env node
/**
 * `mcf`, the console's command line (package.json "bin"; `npx mcf test <profile>`). The commands
 * live in lib/cli as TypeScript, shared with the app, so this entry point only prepares Node to
 * run them:
 * - tsx's register APIs (ESM and CommonJS: files of this package load as CommonJS) compile the
 *   TypeScript and apply tsconfig's "@/" path alias;
 * - `server-only`, which throws outside React Server Components, resolves to an empty module: the
 *   CLI is server code. For require() that is a pre-filled require.cache entry (a documented way
 *   to provide a module); for import() a resolve hook. Both, because which loader a file goes
 *   through depends on tsx.
 * Ctrl-C cancels a running test, which is then still reported (exit code 1).
 */
import Module, { createRequire, register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const serverOnly = require.resolve("server-only");
const stub = new Module(serverOnly);
stub.filename = serverOnly;
stub.loaded = true;
stub.exports = {};
require.cache[serverOnly] = stub;
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export%20%7B%7D", shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

// The report is the CLI's output; the server log (JSON lines on stderr) only for warnings, unless asked for.
process.env.MCF_LOG_LEVEL ??= "warn";
// tsx's CommonJS hook reads the tsconfig location from the environment (its ESM hook takes an option);
// without it, a run from another directory would miss the "@/" alias.
process.env.TSX_TSCONFIG_PATH ??= path.join(root, "tsconfig.json");
const { register: registerCjs } = await import("tsx/cjs/api");
const { register: registerEsm } = await import("tsx/esm/api");
registerCjs();
registerEsm({ tsconfig: path.join(root, "tsconfig.json") });

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
  const message = error instanceof Error && /^Invalid environment/.test(error.message) ? error.message : `could not start: ${error instanceof Error ? error.name : String(error)}`;
  io.err(`mcf: ${message}\n`);
  code = 2;
}
await pending;
// Open handles (a database client, keep-alive sockets of a cancelled request) must not keep the CLI alive.
process.exit(code);
