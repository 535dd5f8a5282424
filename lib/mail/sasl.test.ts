import { describe, expect, it } from "vitest";
import { SaslEncodingError, decodeXoauth2Challenge, plainInitialResponse, xoauth2InitialResponse } from "./sasl";

describe("xoauth2InitialResponse", () => {
  it("matches Microsoft's published check vector", () => {
    expect(xoauth2InitialResponse("test@contoso.onmicrosoft.com", "EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA")).toBe(
      "dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUwYmpMQldaV0NjbFJDM0VvQUEBAQ==",
    );
  });

  it("uses standard base64 with padding, not base64url", () => {
    const encoded = xoauth2InitialResponse("a@b.c", "tok~?>>");
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(encoded, "base64").toString()).toBe("user=a@b.c\x01auth=Bearer tok~?>>\x01\x01");
  });

  it("refuses control characters that would break the \\x01 framing, without echoing the value", () => {
    expect(() => xoauth2InitialResponse("a@b.c\x01auth=Bearer x", "t")).toThrow(SaslEncodingError);
    try {
      xoauth2InitialResponse("u", "secret-token\n");
      expect.unreachable();
    } catch (error) {
      expect((error as SaslEncodingError).field).toBe("accessToken");
      expect((error as Error).message).not.toContain("secret-token");
    }
  });
});

describe("plainInitialResponse", () => {
  it("encodes authzid NUL user NUL password", () => {
    expect(Buffer.from(plainInitialResponse("alice", "pw"), "base64").toString()).toBe("\x00alice\x00pw");
    expect(Buffer.from(plainInitialResponse("alice", "pw", "shared"), "base64").toString()).toBe("shared\x00alice\x00pw");
  });

  it("refuses NUL inside a field", () => {
    expect(() => plainInitialResponse("al\x00ice", "pw")).toThrow(SaslEncodingError);
  });
});

describe("decodeXoauth2Challenge", () => {
  it("decodes Dovecot's and Gmail's error challenge", () => {
    expect(decodeXoauth2Challenge("eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=")).toEqual({
      status: "401",
      schemes: "bearer",
      scope: "mail",
      json: '{"status":"401","schemes":"bearer","scope":"mail"}',
    });
    const gmail = Buffer.from(JSON.stringify({ status: 400, schemes: "Bearer", scope: "https://mail.google.com/" })).toString(
      "base64",
    );
    expect(decodeXoauth2Challenge(gmail)?.status).toBe("400");
  });

  it("returns null for an empty continuation or anything that is not base64 JSON", () => {
    expect(decodeXoauth2Challenge("")).toBeNull();
    expect(decodeXoauth2Challenge("   ")).toBeNull();
    expect(decodeXoauth2Challenge("not base64!")).toBeNull();
    expect(decodeXoauth2Challenge(Buffer.from("plain text").toString("base64"))).toBeNull();
    expect(decodeXoauth2Challenge(Buffer.from("[1,2]").toString("base64"))).toBeNull();
  });
});
