import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  PEER_ADDRESS_HEADER,
  CLIENT_ADDRESS_HEADER,
  SERVER_MARK,
  clientAddress,
  normalizeAddress,
  resolveClientAddress,
  throttleAddressKey,
  trustedProxyList,
  withClientAddress,
} from "@/lib/auth/client-address";

const none = trustedProxyList([]);
const proxies = trustedProxyList(["10.0.0.0/8", "192.0.2.10", "fd00::/8"]);
const globals = globalThis as Record<symbol, unknown>;

afterEach(() => {
  delete globals[SERVER_MARK];
});

describe("normalizeAddress", () => {
  it.each([
    ["198.51.100.7", "198.51.100.7"],
    [" 198.51.100.7 ", "198.51.100.7"],
    ["198.51.100.7:51234", "198.51.100.7"],
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["::FFFF:c633:6407", "198.51.100.7"],
    ["2001:DB8:0:0::1", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
  ])("%s → %s", (raw, expected) => {
    expect(normalizeAddress(raw)).toBe(expected);
  });

  it.each(["", "unknown", "evil.test", "198.51.100", "1.2.3.4.5", "<script>", "198.51.100.7, 10.0.0.1"])("refuses %j", (raw) => {
    expect(normalizeAddress(raw)).toBeNull();
  });
});

describe("resolveClientAddress", () => {
  it("without trusted proxies the client is the TCP peer, whatever X-Forwarded-For claims", () => {
    expect(resolveClientAddress("198.51.100.7", "203.0.113.66", none)).toBe("198.51.100.7");
    expect(resolveClientAddress("198.51.100.7", "203.0.113.66, 10.0.0.1", none)).toBe("198.51.100.7");
    expect(resolveClientAddress("10.0.0.1", "203.0.113.66", none)).toBe("10.0.0.1");
    expect(resolveClientAddress(null, "203.0.113.66", none)).toBeNull();
  });

  it("behind trusted proxies, X-Forwarded-For is walked from the right to the first untrusted hop", () => {
    // the client's own claim (leftmost) is never taken when a real hop follows it
    expect(resolveClientAddress("10.0.0.1", "203.0.113.66, 198.51.100.7", proxies)).toBe("198.51.100.7");
    expect(resolveClientAddress("10.0.0.1", "203.0.113.66, 198.51.100.7, 10.2.2.2, 192.0.2.10", proxies)).toBe("198.51.100.7");
    expect(resolveClientAddress("fd00::5", "2001:db8::7", proxies)).toBe("2001:db8::7");
    expect(resolveClientAddress("::ffff:10.0.0.1", "198.51.100.7", proxies)).toBe("198.51.100.7");
  });

  it("a request that reaches the console past the proxy keeps its own address", () => {
    expect(resolveClientAddress("198.51.100.7", "10.0.0.1", proxies)).toBe("198.51.100.7");
  });

  it("a proxy that forwards no header, or garbage, is the last address known", () => {
    expect(resolveClientAddress("10.0.0.1", null, proxies)).toBe("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", "", proxies)).toBe("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", "198.51.100.7, not-an-ip", proxies)).toBe("10.0.0.1");
    // every hop trusted: the leftmost is all that is known
    expect(resolveClientAddress("10.0.0.1", "10.0.0.2, 10.0.0.3", proxies)).toBe("10.0.0.2");
  });
});

describe("clientAddress (the request's headers)", () => {
  it("behind scripts/server.mjs the peer header is the client; a spoofed X-Forwarded-For is ignored", () => {
    globals[SERVER_MARK] = true;
    const headers = new Headers({ [PEER_ADDRESS_HEADER]: "198.51.100.7", "x-forwarded-for": "203.0.113.66" });
    expect(clientAddress(headers)).toBe("198.51.100.7");
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.66" }))).toBeNull();
  });

  it("hands better-auth the resolved address, never one a client sent under that header name", () => {
    globals[SERVER_MARK] = true;
    const spoofed = new Headers({
      [PEER_ADDRESS_HEADER]: "198.51.100.7",
      [CLIENT_ADDRESS_HEADER]: "203.0.113.66",
      "x-forwarded-for": "203.0.113.66",
    });
    expect(withClientAddress(spoofed).get(CLIENT_ADDRESS_HEADER)).toBe("198.51.100.7");
    expect(withClientAddress(new Headers({ [CLIENT_ADDRESS_HEADER]: "203.0.113.66" })).has(CLIENT_ADDRESS_HEADER)).toBe(false);
  });

  it("without the server (tests, next dev) the last X-Forwarded-For entry is what Next wrote from the socket", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.66, 198.51.100.7" }))).toBe("198.51.100.7");
    expect(clientAddress(new Headers())).toBeNull();
  });
});

describe("scripts/server.mjs", () => {
  it("writes the header and sets the mark this module believes", () => {
    const server = fs.readFileSync(path.join(__dirname, "../../scripts/server.mjs"), "utf8");
    expect(server).toContain(`const PEER_ADDRESS_HEADER = "${PEER_ADDRESS_HEADER}";`);
    expect(server).toContain(`const SERVER_MARK = Symbol.for("${SERVER_MARK.description}");`);
    expect(server).toMatch(/req\.headers\[PEER_ADDRESS_HEADER\] = req\.socket\.remoteAddress/);
  });
});

describe("throttleAddressKey", () => {
  it("is the address for IPv4 and the /64 for IPv6", () => {
    expect(throttleAddressKey("198.51.100.7")).toBe("198.51.100.7");
    expect(throttleAddressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(throttleAddressKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(throttleAddressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(throttleAddressKey("::1")).toBe("0:0:0:0::/64");
    expect(throttleAddressKey(null)).toBe("unknown");
  });
});
