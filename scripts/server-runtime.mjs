/**
 * Prepares plain Node to run the console's server-side TypeScript outside Next: the CLI (scripts/mcf.mjs)
 * and the benchmarks (`node --import ./scripts/server-runtime.mjs scripts/bench/…`).
 * - tsx's register APIs (ESM and CommonJS: files of this package load as CommonJS) compile the
 *   TypeScript and apply tsconfig's "@/" path alias;
 * - `server-only`, which throws outside React Server Components, resolves to an empty module: this is
 *   server code. For require() that is a pre-filled require.cache entry (a documented way to provide
 *   a module); for import() a resolve hook. Both, because which loader a file goes through depends on tsx.
 */
import Module, { createRequire, register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

// tsx's CommonJS hook reads the tsconfig location from the environment (its ESM hook takes an option);
// without it, a run from another directory would miss the "@/" alias.
process.env.TSX_TSCONFIG_PATH ??= path.join(root, "tsconfig.json");
const { register: registerCjs } = await import("tsx/cjs/api");
const { register: registerEsm } = await import("tsx/esm/api");
registerCjs();
registerEsm({ tsconfig: path.join(root, "tsconfig.json") });

export const projectRoot = root;
