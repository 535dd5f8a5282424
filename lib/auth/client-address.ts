import "server-only";
import { BlockList, isIP } from "node:net";
import { env, listEntries } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * The one place that decides which address a request comes from. The sign-in throttle, the audit log
 * (server actions, route handlers, the REST API) and better-auth's own rate limit all use it.
 *
 * X-Forwarded-For is written by whoever sent the request, so on its own it proves nothing. Next's
 * server fills it from the socket only when the request has none (`??=`: a client that sends
 * "X-Forwarded-For: 203.0.113.9" is believed as is), and route handlers and server actions never see
 * the socket. So the console runs behind its own small HTTP server (scripts/server.mjs), which puts
 * the TCP peer's address in PEER_ADDRESS_HEADER on every request, overwriting whatever a client sent
 * under that name, and marks the process so this module knows the header is its own.
 *
 * From the peer, X-Forwarded-For is walked from the right while the hop is a proxy the operator
 * trusts (MCF_TRUST_PROXY): the first untrusted hop is the client. With no trusted proxy (the default)
 * the client is the peer and X-Forwarded-For is ignored.
 */
export const PEER_ADDRESS_HEADER = "x-mcf-peer-address";
/** The resolved address handed to better-auth (its `advanced.ipAddress.ipAddressHeaders`). */
export const CLIENT_ADDRESS_HEADER = "x-mcf-client-address";
/** Set on globalThis by scripts/server.mjs once it writes PEER_ADDRESS_HEADER on every request. */
export const SERVER_MARK = Symbol.for("mcf.server.peer-address-header");

/** One address as the console stores and compares it: IPv4 dotted, IPv6 compressed lower-case, mapped IPv4 as IPv4. */
export function normalizeAddress(raw: string): string | null {
  let value = raw.trim();
  if (value.startsWith("[")) value = value.slice(1, value.indexOf("]") > 0 ? value.indexOf("]") : undefined);
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  const zone = value.indexOf("%");
  if (zone > 0) value = value.slice(0, zone);
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6) return null;
  const compressed = new URL(`http://[${value}]`).hostname.slice(1, -1);
  // IPv4-mapped (a dual-stack socket's view of an IPv4 client): the URL parser writes it as two hex groups
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped) {
    const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return compressed;
}

export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const normalized = normalizeAddress(address);
    if (!normalized) continue; // lib/env.ts has refused the configuration already
    const type = isIP(normalized) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(normalized, type);
    else list.addSubnet(normalized, Number(prefix), type);
  }
  return list;
}

/**
 * The pure rule: `peer` is the TCP peer (null when unknown), `forwardedFor` the X-Forwarded-For
 * header as received. A hop that is not an address stops the walk: the trusted proxy that wrote it
 * is the last address known for sure.
 */
export function resolveClientAddress(peer: string | null, forwardedFor: string | null, trusted: BlockList): string | null {
  const client = peer === null ? null : normalizeAddress(peer);
  if (client === null) return null;
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  let current = client;
  while (isTrusted(current, trusted)) {
    const next = hops.pop();
    if (next === undefined) return current;
    const address = normalizeAddress(next);
    if (address === null) return current;
    current = address;
  }
  return current;
}

const isTrusted = (address: string, trusted: BlockList) => trusted.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");

let trustedProxies: BlockList | undefined;
let warnedNoServer = false;

function serverWritesPeerHeader(): boolean {
  return (globalThis as Record<symbol, unknown>)[SERVER_MARK] === true;
}

function peerOf(headers: Headers): string | null {
  if (serverWritesPeerHeader()) return headers.get(PEER_ADDRESS_HEADER);
  if (env.NODE_ENV === "production") {
    // `next start` without scripts/server.mjs: no address can be believed, so none is used (every
    // client shares one sign-in throttle) rather than one a client chose
    if (!warnedNoServer) {
      warnedNoServer = true;
      log.error(
        "client addresses are unknown: start the console with `npm start` or scripts/start.sh (scripts/server.mjs), not `next start`",
      );
    }
    return null;
  }
  // next dev and tests: Next's own server wrote the socket address into X-Forwarded-For when the
  // request had none, and a developer's own requests are not an attack
  return headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() ?? null;
}

/** The client address of a request, or null when it cannot be known. */
export function clientAddress(headers: Headers): string | null {
  trustedProxies ??= trustedProxyList(listEntries(env.MCF_TRUST_PROXY));
  const peer = peerOf(headers);
  // without the server, the peer was read from X-Forwarded-For itself and the walk starts before it
  const forwarded = serverWritesPeerHeader()
    ? headers.get("x-forwarded-for")
    : (headers.get("x-forwarded-for")?.split(",").slice(0, -1).join(",") ?? null);
  return resolveClientAddress(peer, forwarded, trustedProxies);
}

/** A copy of the headers for better-auth, carrying the resolved address (never one a client sent under that name). */
export function withClientAddress(headers: Headers): Headers {
  const copy = new Headers(headers);
  const address = clientAddress(headers);
  if (address) copy.set(CLIENT_ADDRESS_HEADER, address);
  else copy.delete(CLIENT_ADDRESS_HEADER);
  return copy;
}

/**
 * The key the sign-in throttle counts under: the address itself for IPv4, its /64 network for IPv6
 * (one subscriber usually holds a whole /64, so single IPv6 addresses cost an attacker nothing).
 */
export function throttleAddressKey(address: string | null): string {
  if (address === null) return "unknown";
  if (isIP(address) !== 6) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
