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
  delete process.env.MCF_TEST_ALLOWED_HOSTS;
});

describe("outbound guard", () => {
  it("refuses link-local and cloud-metadata addresses, in every spelling", async () => {
    const { isBlockedAddress } = await guardWith({});
    for (const address of ["169.254.169.254", "169.254.0.1", "::ffff:169.254.169.254", "fe80::1", "fd00:ec2::254", "100.100.100.200", "168.63.129.16", "0.0.0.0"]) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
    for (const address of ["127.0.0.1", "10.0.0.5", "52.97.1.1", "::1", "2603:1026::1"]) expect(isBlockedAddress(address), address).toBe(false);
  });

  it("lets the operator allow-list an address or a subnet", async () => {
    const { isBlockedAddress } = await guardWith({ MCF_OUTBOUND_ALLOW: "169.254.10.0/24, fd00:ec2::254" });
    expect(isBlockedAddress("169.254.10.7")).toBe(false);
    expect(isBlockedAddress("fd00:ec2::254")).toBe(false);
    expect(isBlockedAddress("169.254.169.254")).toBe(true);
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
