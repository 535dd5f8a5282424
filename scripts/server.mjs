#!/usr/bin/env node
/**
 * Serves the production build (`next build` first) like `next start`, with one addition: every request
 * carries the TCP peer's address in `x-mcf-peer-address`, overwriting whatever a client sent under that
 * name. Route handlers and server actions cannot see the socket, and Next only fills X-Forwarded-For
 * from it when the client sent none, so without this the console could not tell a client's real
 * address from one it claims. lib/auth/client-address.ts reads the header, and believes it only when
 * this server has marked the process (the symbol below), so a plain `next start` cannot be fooled.
 *   HOST (default 127.0.0.1) and PORT (default 3000) choose where it listens.
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PEER_ADDRESS_HEADER = "x-mcf-peer-address";
const SERVER_MARK = Symbol.for("mcf.server.peer-address-header");

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const hostname = process.env.HOST || "127.0.0.1";
const port = Number(process.env.PORT || 3000);
// as `next start` does, before Next and React are loaded
process.env.NODE_ENV = "production";
const { default: next } = await import("next");

const app = next({ dev: false, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
globalThis[SERVER_MARK] = true;

const server = http.createServer((req, res) => {
  req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res);
});
server.listen(port, hostname, () =>
  console.log(`mcf: listening on http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`),
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close(() => app.close().finally(() => process.exit(0)));
    // keep-alive connections would hold close() open
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
