import { describe, expect, it } from "vitest";
import { jsonPath } from "@/lib/transfer/json-path";

describe("jsonPath", () => {
  it("writes identifiers with dots and indexes in brackets", () => {
    expect(jsonPath([])).toBe("$");
    expect(jsonPath([2, "connection", "port"])).toBe("$[2].connection.port");
    expect(jsonPath(["authentication", "requestProperties", "client_secret"])).toBe(
      "$.authentication.requestProperties.client_secret",
    );
  });

  it("quotes keys that are not identifiers", () => {
    expect(jsonPath(["connection", "additionalProperties", "mail.imap.ssl.enable"])).toBe(
      '$.connection.additionalProperties["mail.imap.ssl.enable"]',
    );
    expect(jsonPath(["a b", 'x"]y', ""])).toBe('$["a b"]["x\\"]y"][""]');
  });

  it("continues from a given root", () => {
    expect(jsonPath(["name"], "$[3]")).toBe("$[3].name");
  });
});
