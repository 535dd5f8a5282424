import { expect, it, vi } from "vitest";
import { basicInput } from "../support/profile-fixtures";

// The operator's host list is read at start-up; this file runs with one set.
vi.hoisted(() => {
  process.env.MCF_TEST_ALLOWED_HOSTS = "outlook.office365.com";
});

it("a Test to a host outside MCF_TEST_ALLOWED_HOSTS stops at the DNS step without connecting", async () => {
  const { runConnectionTest } = await import("@/lib/diagnostics/run-test");
  const profile = basicInput({ password: "pw" });
  profile.connection.mailServerUrl = "127.0.0.1:1";
  const result = await runConnectionTest({ profile, secrets: { password: "pw" } }, { timeoutMs: 5000 });
  const dns = result.steps.find((s) => s.step === "dns")!;
  expect(dns.status).toBe("fail");
  expect(dns.cause).toMatch(/MCF_TEST_ALLOWED_HOSTS: outlook\.office365\.com/);
  expect(result.steps.find((s) => s.step === "tcp")!.status).toBe("skipped");
});

it("a Test to a cloud-metadata address is refused", async () => {
  vi.resetModules();
  delete process.env.MCF_TEST_ALLOWED_HOSTS;
  const { runConnectionTest } = await import("@/lib/diagnostics/run-test");
  const profile = basicInput({ password: "pw" });
  profile.connection.mailServerUrl = "169.254.169.254:993";
  const result = await runConnectionTest({ profile, secrets: { password: "pw" } }, { timeoutMs: 5000 });
  expect(result.steps.find((s) => s.step === "dns")).toMatchObject({ status: "fail" });
  expect(result.summary).toMatch(/169\.254\.169\.254/);
});
