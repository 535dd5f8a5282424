import "server-only";
import net from "node:net";
import { env } from "@/lib/env";

/**
 * Where a Test may connect. A profile names any host, so without a guard the console could be made
 * to call its own cloud's instance-metadata service (and hand back what it says in a transcript).
 * Link-local and metadata addresses are refused unless the operator allow-lists them
 * (MCF_OUTBOUND_ALLOW); the operator can also restrict Tests to named hosts (MCF_TEST_ALLOWED_HOSTS).
 */
const blocked = new net.BlockList();
blocked.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, AWS/GCP/Azure IMDS at 169.254.169.254
blocked.addSubnet("0.0.0.0", 8, "ipv4");
blocked.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
blocked.addAddress("168.63.129.16", "ipv4"); // Azure wire server
blocked.addSubnet("fe80::", 10, "ipv6"); // link-local
blocked.addAddress("fd00:ec2::254", "ipv6"); // AWS IMDS over IPv6

function parseAllowList(text: string | undefined): net.BlockList {
  const list = new net.BlockList();
  for (const entry of (text ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const type = net.isIPv6(address ?? "") ? "ipv6" : "ipv4";
    if (!address || !net.isIP(address)) continue;
    if (prefix !== undefined) list.addSubnet(address, Number(prefix), type);
    else list.addAddress(address, type);
  }
  return list;
}

const allowed = parseAllowList(env.MCF_OUTBOUND_ALLOW);

function familyOf(address: string): "ipv4" | "ipv6" {
  return net.isIPv6(address) ? "ipv6" : "ipv4";
}

/** True for an address the console never connects to (unless MCF_OUTBOUND_ALLOW names it). */
export function isBlockedAddress(address: string): boolean {
  if (!net.isIP(address)) return false;
  const lower = address.toLowerCase();
  // IPv4-mapped IPv6 (::ffff:169.254.169.254) is the IPv4 address in disguise
  const plain = lower.startsWith("::ffff:") && net.isIPv4(lower.slice(7)) ? lower.slice(7) : lower;
  const type = familyOf(plain);
  return blocked.check(plain, type) && !allowed.check(plain, type);
}

/** The hosts a Test may reach, when the operator restricted them. */
export function allowedTestHosts(): string[] | undefined {
  const list = (env.MCF_TEST_ALLOWED_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  return list.length ? list : undefined;
}

function matches(host: string, pattern: string): boolean {
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** Why a Test may not connect to this host, or undefined when it may. */
export function testTargetRefusal(host: string): string | undefined {
  const list = allowedTestHosts();
  if (!list) return undefined;
  const normalized = host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (list.some((pattern) => matches(normalized, pattern))) return undefined;
  return `${host} is not among the hosts this console may test (MCF_TEST_ALLOWED_HOSTS: ${list.join(", ")}). Ask the operator to add it, or correct the host.`;
}
