import { afterEach, describe, expect, it, vi } from "vitest";

async function guardWith(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return import("@/lib/net/outbound-guard");
}

afterEach(() => {
  delete process.env.MCF_OUTBOUND_ALLOW;
  delete process.env.MCF_OUTBOUND_BLOCK_PRIVATE;
  delete process.env.MCF_TEST_ALLOWED_HOSTS;
});

/** [address, blocked by default, blocked with MCF_OUTBOUND_BLOCK_PRIVATE=true] */
const TABLE: [string, boolean, boolean][] = [
  // plain IPv4 and IPv6
  ["169.254.169.254", true, true],
  ["169.254.0.1", true, true],
  ["100.100.100.200", true, true],
  ["168.63.129.16", true, true],
  ["0.0.0.0", true, true],
  ["fe80::1", true, true],
  ["fd00:ec2::254", true, true],
  ["::", true, true],
  ["52.97.1.1", false, false],
  ["2603:1026::1", false, false],
  // uppercase, zero-padded, zone id, brackets
  ["FE80::1", true, true],
  ["fe80:0000:0000:0000:0000:0000:0000:0001", true, true],
  ["fe80::1%eth0", true, true],
  ["[fe80::1]", true, true],
  ["[FD00:EC2:0:0:0:0:0:254]", true, true],
  // IPv4-mapped, in dotted and in hex form
  ["::ffff:169.254.169.254", true, true],
  ["::FFFF:A9FE:A9FE", true, true],
  ["0:0:0:0:0:ffff:a9fe:a9fe", true, true],
  ["[::ffff:169.254.169.254]", true, true],
  ["::ffff:0:a9fe:a9fe", true, true], // IPv4-translated (SIIT)
  ["::ffff:52.97.1.1", false, false],
  // IPv4-compatible (deprecated)
  ["::a9fe:a9fe", true, true],
  ["::169.254.169.254", true, true],
  ["::0.0.0.0", true, true],
  // NAT64: well-known prefix and local-use prefix (/48 and /96 placements)
  ["64:ff9b::a9fe:a9fe", true, true],
  ["64:ff9b::169.254.169.254", true, true],
  ["64:FF9B:0000::A9FE:A9FE", true, true],
  ["64:ff9b::3461:101", false, false], // 52.97.1.1
  ["64:ff9b:1::a9fe:a9fe", true, true],
  ["64:ff9b:1:a9fe:a9:fe00::", true, true], // /48 placement skips octet 8
  // 6to4
  ["2002:a9fe:a9fe::", true, true],
  ["2002:a9fe:a9fe:1::1", true, true],
  ["2002:3461:0101::1", false, false],
  // Teredo: client IPv4 is the last 32 bits inverted (169.254.169.254 → 5601:5601)
  ["2001:0:4136:e378:8000:63bf:5601:5601", true, true],
  ["2001:0000:a9fe:a9fe::1", true, true], // server field
  ["2001:0:4136:e378:8000:63bf:cb9e:fefe", false, false], // client 52.97.1.1
  // ISATAP interface identifiers
  ["::5efe:169.254.169.254", true, true],
  ["2001:db8::200:5efe:a9fe:a9fe", true, true],
  // private and loopback: only with MCF_OUTBOUND_BLOCK_PRIVATE
  ["127.0.0.1", false, true],
  ["127.8.9.10", false, true],
  ["10.0.0.5", false, true],
  ["172.16.0.1", false, true],
  ["172.31.255.255", false, true],
  ["172.32.0.1", false, false],
  ["192.168.1.1", false, true],
  ["100.64.0.1", false, true],
  ["100.127.255.255", false, true],
  ["100.128.0.1", false, false],
  ["::1", false, true],
  ["0:0:0:0:0:0:0:1", false, true],
  ["[::1]", false, true],
  ["fc00::1", false, true],
  ["fd12:3456::1", false, true],
  ["::ffff:127.0.0.1", false, true],
  ["::ffff:7f00:1", false, true],
  ["::ffff:10.0.0.1", false, true],
  ["::10.0.0.1", false, true],
  ["64:ff9b::7f00:1", false, true],
  ["64:ff9b::192.168.0.1", false, true],
  ["2002:0a00:0001::", false, true],
  ["2002:c0a8:0101::1", false, true],
  ["2001:0:4136:e378:8000:63bf:80ff:fffe", false, true], // Teredo client 127.0.0.1
  ["::5efe:10.1.2.3", false, true],
];

describe("outbound guard", () => {
  it("judges every IPv6 spelling by the IPv4 address it carries (default, and with MCF_OUTBOUND_BLOCK_PRIVATE)", async () => {
    const { isBlockedAddress } = await guardWith({});
    const byDefault = TABLE.map(([address]) => [address, isBlockedAddress(address)]);
    expect(byDefault).toEqual(TABLE.map(([address, blocked]) => [address, blocked]));

    const strict = await guardWith({ MCF_OUTBOUND_BLOCK_PRIVATE: "true" });
    const withPrivate = TABLE.map(([address]) => [address, strict.isBlockedAddress(address)]);
    expect(withPrivate).toEqual(TABLE.map(([address, , blocked]) => [address, blocked]));
  });

  it("names the category and the embedded IPv4 address", async () => {
    const { blockedAddress } = await guardWith({ MCF_OUTBOUND_BLOCK_PRIVATE: "1" });
    expect(blockedAddress("169.254.169.254")).toEqual({ address: "169.254.169.254", category: "metadata" });
    expect(blockedAddress("64:ff9b::a9fe:a9fe")).toEqual({
      address: "64:ff9b::a9fe:a9fe",
      category: "metadata",
      embedded: "169.254.169.254",
    });
    expect(blockedAddress("::ffff:7f00:1")).toMatchObject({ category: "loopback" });
    expect(blockedAddress("10.1.1.1")).toMatchObject({ category: "private" });
    expect(blockedAddress("0.0.0.0")).toMatchObject({ category: "unspecified" });
    expect(blockedAddress("mail.contoso.com")).toBeUndefined();
  });

  it("parses IPv6 into its 16 bytes whatever the spelling", async () => {
    const { ipv6Bytes } = await guardWith({});
    const hex = (text: string) => Buffer.from(ipv6Bytes(text) ?? []).toString("hex");
    expect(hex("::ffff:169.254.169.254")).toBe("00000000000000000000ffffa9fea9fe");
    expect(hex("[::FFFF:A9FE:A9FE%lo]")).toBe("00000000000000000000ffffa9fea9fe");
    expect(hex("2001:db8::1")).toBe("20010db8000000000000000000000001");
    expect(hex("1::")).toBe("00010000000000000000000000000000");
    expect(hex("::")).toBe("00000000000000000000000000000000");
    expect(ipv6Bytes("169.254.169.254")).toBeUndefined();
    expect(ipv6Bytes("fe80::1::2")).toBeUndefined();
    expect(ipv6Bytes("localhost")).toBeUndefined();
  });

  it("lets the operator allow-list an address or a subnet, in any spelling", async () => {
    const { isBlockedAddress } = await guardWith({ MCF_OUTBOUND_ALLOW: "169.254.10.0/24, fd00:ec2::254" });
    expect(isBlockedAddress("169.254.10.7")).toBe(false);
    expect(isBlockedAddress("::ffff:169.254.10.7")).toBe(false);
    expect(isBlockedAddress("64:ff9b::a9fe:a07")).toBe(false);
    expect(isBlockedAddress("fd00:ec2::254")).toBe(false);
    expect(isBlockedAddress("FD00:EC2:0::254")).toBe(false);
    expect(isBlockedAddress("169.254.169.254")).toBe(true);
    expect(isBlockedAddress("::ffff:169.254.169.254")).toBe(true);
  });

  it("MCF_OUTBOUND_ALLOW wins over MCF_OUTBOUND_BLOCK_PRIVATE", async () => {
    const { isBlockedAddress } = await guardWith({
      MCF_OUTBOUND_BLOCK_PRIVATE: "true",
      MCF_OUTBOUND_ALLOW: "10.20.0.0/16,127.0.0.1",
    });
    expect(isBlockedAddress("10.20.3.4")).toBe(false);
    expect(isBlockedAddress("::ffff:10.20.3.4")).toBe(false);
    expect(isBlockedAddress("127.0.0.1")).toBe(false);
    expect(isBlockedAddress("10.21.0.1")).toBe(true);
    expect(isBlockedAddress("127.0.0.2")).toBe(true);
    expect(isBlockedAddress("::1")).toBe(true);
  });

  it("refuses to start on an allow list or a switch it cannot read", async () => {
    await expect(guardWith({ MCF_OUTBOUND_ALLOW: "169.254.169.254, 10.0.0.0/33" })).rejects.toThrow(
      /"10\.0\.0\.0\/33" has a prefix length outside 0-32/,
    );
    await expect(guardWith({ MCF_OUTBOUND_ALLOW: "metadata.internal" })).rejects.toThrow(
      /"metadata\.internal" is not an IP address or CIDR/,
    );
    delete process.env.MCF_OUTBOUND_ALLOW;
    await expect(guardWith({ MCF_OUTBOUND_BLOCK_PRIVATE: "maybe" })).rejects.toThrow(
      /MCF_OUTBOUND_BLOCK_PRIVATE must be true or false/,
    );
  });

  it("words a refusal with the address, its kind and what to do", async () => {
    const { blockedAddressRefusal } = await guardWith({ MCF_OUTBOUND_BLOCK_PRIVATE: "true" });
    expect(blockedAddressRefusal("imds.example.net", ["169.254.169.254"])).toEqual({
      detail:
        "imds.example.net resolves to 169.254.169.254, a link-local/cloud-metadata address this console does not connect to.",
      cause: expect.stringMatching(/instance-metadata service/),
      fix: "Ask the operator to allow it with MCF_OUTBOUND_ALLOW, or correct the host.",
    });
    expect(blockedAddressRefusal("::ffff:a9fe:a9fe", ["::ffff:a9fe:a9fe"]).detail).toBe(
      "::ffff:a9fe:a9fe is an IPv6 spelling of 169.254.169.254, a link-local/cloud-metadata address this console does not connect to.",
    );
    const both = blockedAddressRefusal("mail.internal", ["10.0.0.5", "64:ff9b::7f00:1"], "correct the token URL");
    expect(both.detail).toBe(
      "mail.internal resolves to 10.0.0.5 (private-network) and 64:ff9b::7f00:1 (loopback, an IPv6 spelling of 127.0.0.1): addresses this console does not connect to.",
    );
    expect(both.cause).toMatch(/MCF_OUTBOUND_BLOCK_PRIVATE=true/);
    expect(both.fix).toBe("Ask the operator to allow it with MCF_OUTBOUND_ALLOW, or correct the token URL.");
  });

  it("restricts Test targets to the operator's host list when one is set", async () => {
    let guard = await guardWith({});
    expect(guard.testTargetRefusal("evil.example.net")).toBeUndefined();
    guard = await guardWith({ MCF_TEST_ALLOWED_HOSTS: "outlook.office365.com, *.contoso.com, 127.0.0.1" });
    expect(guard.testTargetRefusal("outlook.office365.com")).toBeUndefined();
    expect(guard.testTargetRefusal("OUTLOOK.office365.com.")).toBeUndefined();
    expect(guard.testTargetRefusal("mail.contoso.com")).toBeUndefined();
    expect(guard.testTargetRefusal("127.0.0.1")).toBeUndefined();
    expect(guard.testTargetRefusal("contoso.com")).toMatch(/MCF_TEST_ALLOWED_HOSTS/);
    expect(guard.testTargetRefusal("evilcontoso.com")).toMatch(/not among the hosts/);
  });
});
