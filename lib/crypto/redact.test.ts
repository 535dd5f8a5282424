import { expect, it } from "vitest";
import { redactText } from "@/lib/crypto/redact";

it("masks tokens, SASL payloads, form secrets, passwords and private keys", () => {
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
  const text = [
    `A1 AUTHENTICATE XOAUTH2 dXNlcj1hQGIuYwFhdXRoPUJlYXJlciB0b2tlbgEB`,
    `AUTH XOAUTH2 dXNlcj1hQGIuYwFh`,
    `PASS hunter2`,
    `Authorization: Bearer abc.def-ghi`,
    `client_secret=abc123&scope=x`,
    `{"access_token":"${jwt}"}`,
    `-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----`,
  ].join("\n");
  const out = redactText(text);
  for (const secret of [
    "dXNlcj1hQGIuYwFhdXRoPUJlYXJlciB0b2tlbgEB",
    "dXNlcj1hQGIuYwFh",
    "hunter2",
    "abc.def-ghi",
    "abc123",
    jwt,
    "MIIEv",
  ]) {
    expect(out).not.toContain(secret);
  }
  expect(out).toContain("scope=x");
});
