import { describe, expect, it } from "vitest";
import {
  CLOUDS,
  cloudById,
  cloudOfHost,
  cloudsOfHost,
  differentClouds,
  exchangeAudienceClouds,
  isExchangeOnlineMailHost,
  isGraphAudience,
  isMicrosoftAuthorityHost,
} from "./clouds";

describe("cloud presets", () => {
  it("fill authority host, scope and mail host per cloud (docs/MICROSOFT.md#clouds)", () => {
    expect(CLOUDS.map((c) => [c.id, c.authorityHost, c.scope, c.mailHost])).toEqual([
      ["global", "https://login.microsoftonline.com", "https://outlook.office365.com/.default", "outlook.office365.com"],
      ["usgov-gcc-high", "https://login.microsoftonline.us", "https://outlook.office365.us/.default", "outlook.office365.us"],
      ["usgov-dod", "https://login.microsoftonline.us", "https://outlook-dod.office365.us/.default", "outlook-dod.office365.us"],
      ["china", "https://login.partner.microsoftonline.cn", "https://partner.outlook.cn/.default", "partner.outlook.cn"],
    ]);
    for (const cloud of CLOUDS) expect(cloud.exchangeAudiences).toContain("00000002-0000-0ff1-ce00-000000000000");
  });

  it("finds the cloud of a host or URL", () => {
    expect(cloudOfHost("https://login.microsoftonline.com/x/oauth2/v2.0/token")?.id).toBe("global");
    expect(cloudOfHost("OUTLOOK.office365.com")?.id).toBe("global");
    expect(cloudOfHost("partner.outlook.cn")?.id).toBe("china");
    expect(cloudOfHost("login.chinacloudapi.cn")?.id).toBe("china");
    expect(cloudOfHost("outlook-dod.office365.us")?.id).toBe("usgov-dod");
    // Shared by GCC High and DoD: no single answer, but both are listed.
    expect(cloudOfHost("login.microsoftonline.us")).toBeUndefined();
    expect(cloudsOfHost("login.microsoftonline.us").map((c) => c.id)).toEqual(["usgov-gcc-high", "usgov-dod"]);
    expect(cloudOfHost("imap.example.com")).toBeUndefined();
  });

  it("says when two hosts are from different clouds", () => {
    expect(differentClouds("outlook.office365.com", "login.microsoftonline.us")).toBe(true);
    expect(differentClouds("outlook.office365.us", "login.microsoftonline.us")).toBe(false);
    expect(differentClouds("outlook-dod.office365.us", "https://login.microsoftonline.us")).toBe(false);
    expect(differentClouds("partner.outlook.cn", "login.microsoftonline.com")).toBe(true);
    expect(differentClouds("imap.example.com", "login.microsoftonline.com")).toBe(false);
  });

  it("classifies hosts and audiences", () => {
    expect(isMicrosoftAuthorityHost("https://login.microsoftonline.com")).toBe(true);
    expect(isMicrosoftAuthorityHost("127.0.0.1")).toBe(false);
    expect(isExchangeOnlineMailHost("outlook.office365.com")).toBe(true);
    expect(isExchangeOnlineMailHost("imap.gmail.com")).toBe(false);
    expect(exchangeAudienceClouds("https://outlook.office.com/").map((c) => c.id)).toEqual(["global"]);
    expect(exchangeAudienceClouds("https://graph.microsoft.com")).toEqual([]);
    expect(isGraphAudience("https://graph.microsoft.com/")).toBe(true);
    expect(cloudById("china").label).toMatch(/21Vianet/);
  });
});
