import { describe, expect, it } from "vitest";
import { DEFAULT_NEXT_PATH, safeNextPath } from "@/lib/auth/safe-next-path";

/** How a browser would resolve the Location header on the console's own origin. */
const landsOn = (location: string) => new URL(location, "https://console.example.test").origin;

describe("safeNextPath", () => {
  it.each([
    ["/profiles", "/profiles"],
    ["/profiles/abc123", "/profiles/abc123"],
    ["/profiles?search=contoso&page=2", "/profiles?search=contoso&page=2"],
    ["/audit#filters", "/audit#filters"],
    ["/profiles/new", "/profiles/new"],
    ["/account/tokens", "/account/tokens"],
    ["/profiles/a%20b", "/profiles/a%20b"],
  ])("keeps the console path %s", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  it.each([
    // what `/login?next=%2F%5Cevil.test` decodes to: browsers read "\" as "/"
    "/\\evil.test",
    "\\\\evil.test",
    "/\\/evil.test",
    "\\/evil.test",
    "//evil.test",
    "///evil.test",
    "//evil.test/profiles",
    "/%5Cevil.test",
    "/%5cevil.test",
    "/%2F/evil.test",
    "/%2f%2fevil.test",
    "%2F%2Fevil.test",
    "/%2e/%2Fevil.test",
    // browsers strip tab, CR and LF from URLs
    "/\t/evil.test",
    "/\r\n/evil.test",
    "/\n/evil.test",
    "/%09/evil.test",
    "/%0d%0a/evil.test",
    "/%00/evil.test",
    " /evil",
    "/ /evil",
    // normalises to "//evil.test"
    "/.//evil.test",
    "/a/..//evil.test",
    "/profiles/../..//evil.test",
    "https:evil.test",
    "https://evil.test",
    "http://base.invalid/profiles",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,hi",
    "evil.test",
    "profiles",
    "",
    "/%E0%A4%A",
    "/profiles\u2028",
    "/profilés",
    `/${"a".repeat(3000)}`,
  ])("refuses %j", (next) => {
    expect(safeNextPath(next)).toBe(DEFAULT_NEXT_PATH);
  });

  it.each([undefined, null, 42, ["/profiles"], { toString: () => "/profiles" }])("refuses a non-string %j", (next) => {
    expect(safeNextPath(next)).toBe(DEFAULT_NEXT_PATH);
  });

  it("never returns a location that leaves the console", () => {
    const attempts = [
      "/\\evil.test",
      "//evil.test",
      "/.//evil.test",
      "/%5Cevil.test",
      "/\t/evil.test",
      "https:evil.test",
      "/profiles",
    ];
    for (const next of attempts) expect(landsOn(safeNextPath(next)), next).toBe("https://console.example.test");
  });
});
