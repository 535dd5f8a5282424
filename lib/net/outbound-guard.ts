import "server-only";
import dns from "node:dns";
import net from "node:net";
import { env, listEntries } from "@/lib/env";

/**
 * Where a Test may connect. A profile names any host, so without a guard the console could be made
 * to call its own cloud's instance-metadata service (and hand back what it says in a transcript).
 * Link-local and metadata addresses are refused unless the operator allow-lists them
 * (MCF_OUTBOUND_ALLOW); MCF_OUTBOUND_BLOCK_PRIVATE refuses private and loopback ranges too; the
 * operator can also restrict Tests to named hosts (MCF_TEST_ALLOWED_HOSTS).
 *
 * An IPv6 address can carry an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo, …) that the network
 * delivers to, so every address is reduced to its 16 bytes and each IPv4 address embedded in them
 * is judged as well (ipv6Bytes, embeddedIpv4): no string prefix decides.
 */

export type BlockCategory = "metadata" | "unspecified" | "loopback" | "private";

const CATEGORY_LABEL: Record<BlockCategory, string> = {
  metadata: "link-local/cloud-metadata",
  unspecified: "unspecified",
  loopback: "loopback",
  private: "private-network",
};
const article = (label: string) => (/^[aeiou]/.test(label) ? "an" : "a");
/** "a link-local/cloud-metadata address" */
export const categoryText = (category: BlockCategory) =>
  `${article(CATEGORY_LABEL[category])} ${CATEGORY_LABEL[category]} address`;

function list(entries: [string, number | undefined, BlockCategory][]): Map<BlockCategory, net.BlockList> {
  const lists = new Map<BlockCategory, net.BlockList>();
  for (const [address, prefix, category] of entries) {
    const blockList = lists.get(category) ?? new net.BlockList();
    const family = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (prefix === undefined) blockList.addAddress(address, family);
    else blockList.addSubnet(address, prefix, family);
    lists.set(category, blockList);
  }
  return lists;
}

/** Refused always (unless allow-listed). */
const ALWAYS = list([
  ["169.254.0.0", 16, "metadata"], // link-local, AWS/GCP/Azure IMDS at 169.254.169.254
  ["100.100.100.200", undefined, "metadata"], // Alibaba Cloud metadata
  ["168.63.129.16", undefined, "metadata"], // Azure wire server
  ["fe80::", 10, "metadata"], // link-local
  ["fd00:ec2::254", undefined, "metadata"], // AWS IMDS over IPv6
  // "this host": a connection to 0.0.0.0 reaches the console's own machine. The IPv6 "::" carries
  // 0.0.0.0 (IPv4-compatible form, see embeddedIpv4), so it is refused through this entry too.
  ["0.0.0.0", 8, "unspecified"],
]);

/** Refused with MCF_OUTBOUND_BLOCK_PRIVATE=true. */
const PRIVATE = list([
  ["127.0.0.0", 8, "loopback"],
  ["::1", 128, "loopback"],
  ["10.0.0.0", 8, "private"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["100.64.0.0", 10, "private"], // carrier-grade NAT (shared address space)
  ["fc00::", 7, "private"], // unique local
  ["fec0::", 10, "private"], // site-local (deprecated, still routed by some stacks)
]);

// ---- parsing -----------------------------------------------------------------------------------

/** "[fe80::1%eth0]" → "fe80::1": the forms a URL, a profile or a resolver may give an address in. */
function bare(text: string): string {
  return text
    .trim()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/%.*$/, "");
}

/**
 * The 16 bytes of an IPv6 address in any spelling node:net accepts (compressed, zero-padded,
 * uppercase, a trailing dotted quad, a zone id, in brackets), or undefined for anything else.
 */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  let address = bare(text);
  if (!net.isIPv6(address)) return undefined;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = address.split("::");
  const groups = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

const ipv4At = (bytes: Uint8Array, ...at: number[]) => at.map((i) => bytes[i]).join(".");
const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
const zeros = (n: number) => new Array<number>(n).fill(0);

/**
 * The IPv4 addresses an IPv6 address delivers to, by the transition mechanisms that put them in
 * the address: the network (a NAT64 gateway, a 6to4 or Teredo relay, the kernel for IPv4-mapped)
 * turns them back into IPv4 traffic, so they are judged like the IPv4 address itself.
 */
export function embeddedIpv4(bytes: Uint8Array): string[] {
  const found: string[] = [];
  const last32 = ipv4At(bytes, 12, 13, 14, 15);
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-translated (SIIT) ::ffff:0:a.b.c.d
  if (startsWith(bytes, [...zeros(10), 0xff, 0xff]) || startsWith(bytes, [...zeros(8), 0xff, 0xff, 0, 0])) found.push(last32);
  // IPv4-compatible ::a.b.c.d (deprecated), "::" included; ::1 is IPv6 loopback, not 0.0.0.1
  else if (startsWith(bytes, zeros(12)) && !(bytes[15] === 1 && startsWith(bytes, zeros(15)))) found.push(last32);
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052)
  else if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, ...zeros(8)])) found.push(last32);
  // NAT64 local-use 64:ff9b:1::/48 (RFC 8215): the operator picks the prefix length (/48 to /96),
  // which moves the IPv4 bits (RFC 6052 section 2.2, skipping the "u" octet 8); every placement counts.
  else if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) {
    found.push(ipv4At(bytes, 6, 7, 9, 10), ipv4At(bytes, 7, 9, 10, 11), ipv4At(bytes, 9, 10, 11, 12), last32);
  }
  // 6to4 2002:AABB:CCDD::/48
  else if (startsWith(bytes, [0x20, 0x02])) found.push(ipv4At(bytes, 2, 3, 4, 5));
  // Teredo 2001:0::/32: server IPv4 in bits 32-63, the client's IPv4 in the last 32 bits, inverted
  else if (startsWith(bytes, [0x20, 0x01, 0x00, 0x00])) {
    found.push(ipv4At(bytes, 4, 5, 6, 7), [12, 13, 14, 15].map((i) => bytes[i]! ^ 0xff).join("."));
  }
  // ISATAP interface identifier (RFC 5214): any /64 prefix, then 0000:5efe or 0200:5efe, then the IPv4 address
  if ((bytes[8]! & 0xfc) === 0 && bytes[9] === 0 && bytes[10] === 0x5e && bytes[11] === 0xfe) found.push(last32);
  return [...new Set(found)];
}

function canonicalIpv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}

// ---- the verdict -------------------------------------------------------------------------------

function parseAllowList(text: string | undefined): net.BlockList {
  const allow = new net.BlockList();
  // lib/env.ts has checked every entry: an IP, optionally with a prefix length in range.
  for (const entry of listEntries(text)) {
    const [address = "", prefix] = entry.split("/");
    const bytes = ipv6Bytes(address);
    const [value, family] = bytes ? [canonicalIpv6(bytes), "ipv6" as const] : [address, "ipv4" as const];
    if (prefix !== undefined) allow.addSubnet(value, Number(prefix), family);
    else allow.addAddress(value, family);
  }
  return allow;
}

const allowed = parseAllowList(env.MCF_OUTBOUND_ALLOW);

function categoryOf(address: string, family: "ipv4" | "ipv6"): BlockCategory | undefined {
  const lists = env.MCF_OUTBOUND_BLOCK_PRIVATE ? [ALWAYS, PRIVATE] : [ALWAYS];
  for (const categories of lists)
    for (const [category, blockList] of categories) if (blockList.check(address, family)) return category;
  return undefined;
}

export interface BlockedAddress {
  /** as given */
  address: string;
  category: BlockCategory;
  /** the IPv4 address inside an IPv6 address that made it blocked */
  embedded?: string;
}

/** Why the console never connects to this address, or undefined when it may (or it is no IP address). */
export function blockedAddress(text: string): BlockedAddress | undefined {
  const address = bare(text);
  const bytes = ipv6Bytes(address);
  if (!bytes && !net.isIPv4(address)) return undefined;
  const self = bytes ? canonicalIpv6(bytes) : address;
  const family = bytes ? "ipv6" : "ipv4";
  // MCF_OUTBOUND_ALLOW names the address the operator means: as written, or the IPv4 address inside.
  const isAllowed = (candidate: string, candidateFamily: "ipv4" | "ipv6") =>
    allowed.check(self, family) || allowed.check(candidate, candidateFamily);
  // The embedded IPv4 address first: it is what the traffic is delivered to, and what the words name.
  for (const ipv4 of bytes ? embeddedIpv4(bytes) : []) {
    const category = categoryOf(ipv4, "ipv4");
    if (category && !isAllowed(ipv4, "ipv4")) return { address: text, category, embedded: ipv4 };
  }
  const own = categoryOf(self, family);
  return own && !isAllowed(self, family) ? { address: text, category: own } : undefined;
}

/** True for an address the console never connects to (unless MCF_OUTBOUND_ALLOW names it). */
export function isBlockedAddress(address: string): boolean {
  return blockedAddress(address) !== undefined;
}

function describeOne(blocked: BlockedAddress): string {
  return blocked.embedded ? `${blocked.address} (an IPv6 spelling of ${blocked.embedded})` : blocked.address;
}

/** Plain words for a refused destination: what happened (detail), why (cause), what to do (fix). */
export function blockedAddressRefusal(
  host: string,
  addresses: string[],
  correct = "correct the host",
): { detail: string; cause: string; fix: string } {
  const blocked = addresses.map((a) => blockedAddress(a) ?? { address: a, category: "metadata" as const });
  const literal = blocked.length === 1 && bare(host) === bare(blocked[0]!.address);
  const first = blocked[0] ?? { address: host, category: "metadata" as const };
  let detail: string;
  if (literal) {
    detail = `${host} is ${first.embedded ? `an IPv6 spelling of ${first.embedded}, ` : ""}${categoryText(first.category)} this console does not connect to.`;
  } else if (blocked.length <= 1) {
    detail = `${host} resolves to ${describeOne(first)}, ${categoryText(first.category)} this console does not connect to.`;
  } else {
    const each = blocked.map(
      (b) => `${b.address} (${CATEGORY_LABEL[b.category]}${b.embedded ? `, an IPv6 spelling of ${b.embedded}` : ""})`,
    );
    detail = `${host} resolves to ${each.slice(0, -1).join(", ")} and ${each.at(-1)}: addresses this console does not connect to.`;
  }
  const categories = new Set(blocked.map((b) => b.category));
  const why: string[] = [];
  if (categories.has("metadata")) {
    why.push(
      "Link-local and cloud-metadata addresses can reach this server's own instance-metadata service (and its credentials), so the console never connects there.",
    );
  }
  if (categories.has("unspecified")) why.push("An unspecified address (0.0.0.0, ::) reaches the console's own machine.");
  if (categories.has("loopback") || categories.has("private")) {
    why.push(
      "This console is set to refuse private-network and loopback addresses too (MCF_OUTBOUND_BLOCK_PRIVATE=true), where internal services run.",
    );
  }
  return { detail, cause: why.join(" "), fix: `Ask the operator to allow it with MCF_OUTBOUND_ALLOW, or ${correct}.` };
}

// ---- name resolution ---------------------------------------------------------------------------

export interface CheckedAddresses {
  /** every distinct address the name resolved to that the console may connect to, in resolver order */
  allowed: dns.LookupAddress[];
  blocked: dns.LookupAddress[];
}

/**
 * dns.lookup with every answer judged. The caller connects only to `allowed` addresses, and to
 * the addresses themselves, never to the name again: a second lookup could answer differently
 * (DNS rebinding) after this check.
 */
export function resolveChecked(
  host: string,
  options: dns.LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, result: CheckedAddresses) => void,
): void {
  dns.lookup(host, { ...options, all: true }, (error, entries) => {
    if (error) return callback(error, { allowed: [], blocked: [] });
    const seen = new Set<string>();
    const result: CheckedAddresses = { allowed: [], blocked: [] };
    for (const entry of entries) {
      if (seen.has(entry.address)) continue;
      seen.add(entry.address);
      (isBlockedAddress(entry.address) ? result.blocked : result.allowed).push(entry);
    }
    callback(null, result);
  });
}

export type BlockedLookupError = NodeJS.ErrnoException & { code: "MCF_BLOCKED_ADDRESS"; addresses: string[] };

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls/https connections that only ever hands out checked addresses, so the
 * socket connects to exactly what was checked. Fails with code MCF_BLOCKED_ADDRESS (and the
 * refused `addresses`) when no address is left. Honours `all`: Node 20 asks for every address.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  resolveChecked(hostname, options, (error, { allowed: usable, blocked }) => {
    if (error) return callback(error, []);
    if (!usable.length) {
      const refused = Object.assign(new Error(`${hostname} resolves only to addresses the console does not connect to`), {
        code: "MCF_BLOCKED_ADDRESS",
        addresses: blocked.map((b) => b.address),
      });
      return callback(refused, []);
    }
    if (options.all) return callback(null, usable);
    return callback(null, usable[0]!.address, usable[0]!.family);
  });
}

// ---- named hosts -------------------------------------------------------------------------------

/** The hosts a Test may reach, when the operator restricted them. */
export function allowedTestHosts(): string[] | undefined {
  const hosts = listEntries(env.MCF_TEST_ALLOWED_HOSTS).map((h) => h.toLowerCase());
  return hosts.length ? hosts : undefined;
}

function matches(host: string, pattern: string): boolean {
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** Why a Test may not connect to this host, or undefined when it may. */
export function testTargetRefusal(host: string): string | undefined {
  const hosts = allowedTestHosts();
  if (!hosts) return undefined;
  const normalized = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  if (hosts.some((pattern) => matches(normalized, pattern))) return undefined;
  return `${host} is not among the hosts this console may test (MCF_TEST_ALLOWED_HOSTS: ${hosts.join(", ")}). Ask the operator to add it, or correct the host.`;
}
