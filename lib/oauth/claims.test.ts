import { describe, expect, it } from "vitest";
import { checkAccessTokenClaims } from "./claims";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const NOW = new Date("2025-03-01T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;
const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const token = (claims: object) => `${part({ alg: "RS256", typ: "JWT", kid: "k" })}.${part(claims)}.c2ln`;
const good = {
  aud: "https://outlook.office.com",
  tid: TENANT,
  roles: ["IMAP.AccessAsApp", "POP.AccessAsApp"],
  exp: NOW_S + 3599,
  appid: "a",
};
const codes = (claims: object, protocol: "imap" | "pop3" = "imap", extra: object = {}) =>
  checkAccessTokenClaims(token(claims), { protocol, tenantId: TENANT, now: NOW, ...extra }).findings.map((f) => f.code);

describe("checkAccessTokenClaims", () => {
  it("accepts every Exchange Online audience with the protocol's role", () => {
    for (const aud of [
      "https://outlook.office.com",
      "https://outlook.office365.com",
      "https://outlook.office365.com/",
      "00000002-0000-0ff1-ce00-000000000000",
    ]) {
      expect(codes({ ...good, aud })).toEqual([]);
    }
    const result = checkAccessTokenClaims(token(good), { protocol: "pop3", tenantId: TENANT, now: NOW });
    expect(result).toMatchObject({ opaque: false, findings: [], claims: { aud: "https://outlook.office.com", appid: "a" } });
  });

  it("accepts the national-cloud Exchange hosts for their cloud and flags another cloud's", () => {
    expect(codes({ ...good, aud: "https://outlook.office365.us" }, "imap", { cloud: "usgov-gcc-high" })).toEqual([]);
    expect(codes({ ...good, aud: "https://partner.outlook.cn" }, "imap", { cloud: "china" })).toEqual([]);
    expect(codes({ ...good, aud: "https://outlook-dod.office365.us" }, "imap", { cloud: "usgov-dod" })).toEqual([]);
    expect(codes({ ...good, aud: "https://outlook.office365.us" }, "imap", { cloud: "global" })).toEqual(["aud_other_cloud"]);
  });

  it("calls a Graph audience the wrong scope", () => {
    const result = checkAccessTokenClaims(token({ ...good, aud: "https://graph.microsoft.com", roles: undefined }), {
      protocol: "imap",
      now: NOW,
    });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      level: "error",
      code: "aud_graph",
      fix: "Set scope to https://outlook.office365.com/.default.",
    });
    expect(result.findings[0]!.message).toMatch(/^Wrong scope: the token is for Microsoft Graph/);
    expect(codes({ ...good, aud: "00000003-0000-0000-c000-000000000000" })).toEqual(["aud_graph"]);
    expect(codes({ ...good, aud: "https://management.azure.com" })).toEqual(["aud_not_exchange"]);
    expect(codes({ ...good, aud: undefined })).toEqual(["aud_missing"]);
  });

  it("says admin consent / application permission is missing when roles lack the protocol's role", () => {
    const none = checkAccessTokenClaims(token({ ...good, roles: undefined }), {
      protocol: "imap",
      tenantId: TENANT,
      now: NOW,
    }).findings;
    expect(none).toMatchObject([{ level: "error", code: "roles_missing" }]);
    expect(none[0]!.message).toContain("Admin consent / application permission missing");
    expect(none[0]!.fix).toContain("Office 365 Exchange Online > Application permissions > IMAP.AccessAsApp");
    expect(none[0]!.fix).toContain('"Grant admin consent"');
    expect(codes({ ...good, roles: ["IMAP.AccessAsApp"] }, "pop3")).toEqual(["role_missing"]);
    expect(codes({ ...good, roles: ["POP.AccessAsApp"] }, "imap")).toEqual(["role_missing"]);
    expect(codes({ ...good, scp: "IMAP.AccessAsUser.All" })).toEqual(["delegated_token"]);
  });

  it("compares tid with a GUID tenant only", () => {
    expect(codes({ ...good, tid: "11111111-1111-1111-1111-111111111111" })).toEqual(["tid_mismatch"]);
    expect(
      checkAccessTokenClaims(token({ ...good, tid: "11111111-1111-1111-1111-111111111111" }), {
        protocol: "imap",
        tenantId: "contoso.onmicrosoft.com",
        now: NOW,
      }).findings,
    ).toEqual([]);
    expect(codes({ ...good, tid: TENANT.toUpperCase() })).toEqual([]);
  });

  it("reports an expired token", () => {
    expect(codes({ ...good, exp: NOW_S - 1 })).toEqual(["expired"]);
    expect(codes({ ...good, exp: undefined })).toEqual(["exp_missing"]);
  });

  it("notes an opaque token without failing it", () => {
    const result = checkAccessTokenClaims("EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA", { protocol: "imap", now: NOW });
    expect(result.opaque).toBe(true);
    expect(result.claims).toBeUndefined();
    expect(result.findings).toMatchObject([{ level: "info", code: "opaque_token" }]);
  });
});
