/**
 * POST /api/v1/profiles/{id}/test against the real Dovecot and the token-endpoint stand-in (profiles
 * created through the API itself): a JSON result, an NDJSON stream, a Basic profile pointed at a
 * closed port giving a failing result, the result recorded on the profile and audited, Use-level
 * access allowed and no access refused — and no secret or access token in any response.
 */
import crypto from "node:crypto";
import net from "node:net";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";
import { prisma } from "@/lib/db/client";
import { createApiToken } from "@/lib/api/tokens";
import { testEventSchema, testResponseSchema } from "@/lib/api/schemas";
import { setProfileShare } from "@/lib/profile-operations/sharing";
import { ALICE, CLIENT, TENANT, startMailFixture, type MailFixture } from "@/tests/support/mail-fixture";
import type { TestCa } from "@/tests/support/test-ca";
import { seedUser } from "@/tests/support/users";
import type { DovecotServer } from "@/tests/servers/dovecot";
import type { TokenEndpoint } from "@/tests/servers/token-endpoint";
import type { CurrentUser } from "@/lib/auth/session";

const SECRET = `Qx8~api-test-${crypto.randomBytes(8).toString("hex")}`;
const CAROL = { user: "carol@contoso.test", pass: `carol's pässword ${crypto.randomBytes(4).toString("hex")}` };

let mail: MailFixture;
let ca: TestCa;
let dovecot: DovecotServer;
let endpoint: TokenEndpoint;
let deadPort: number;

interface Holder {
  user: CurrentUser;
  token: string;
}
let owner: Holder;
let user: Holder;
let stranger: Holder;

const replies: string[] = [];

/** Real results against the published OpenAPI schemas (the zod schemas are checked below too). */
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(openApiDocument(), "openapi.json");
function conformsTo(component: string, value: unknown) {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${component}`)!;
  expect(validate(value), `${component}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

async function call(id: string, options: { token: string; accept?: string; body?: unknown }) {
  const { POST } = await import("@/app/api/v1/profiles/[id]/test/route");
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.accept) headers.accept = options.accept;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await POST(
    new Request(`http://127.0.0.1/api/v1/profiles/${id}/test`, {
      method: "POST",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    {
      params: Promise.resolve({ id }),
    },
  );
  const text = await response.text();
  replies.push(text);
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", text };
}

async function create(doc: unknown): Promise<string> {
  const { POST } = await import("@/app/api/v1/profiles/route");
  const response = await POST(
    new Request("http://127.0.0.1/api/v1/profiles", {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      body: JSON.stringify(doc),
    }),
    { params: Promise.resolve({}) },
  );
  const text = await response.text();
  replies.push(text);
  expect(response.status, text).toBe(201);
  return (JSON.parse(text) as { id: string }).id;
}

async function holder(role: CurrentUser["role"], name: string): Promise<Holder> {
  const seeded = await seedUser(role, name);
  return { user: seeded, token: (await createApiToken(seeded, { name: "test runner", expiresInDays: 1 })).token };
}

let oauthId: string;
let basicId: string;
let closedId: string;

beforeAll(async () => {
  mail = await startMailFixture({
    apps: [{ clientId: CLIENT, secrets: [SECRET] }],
    grants: [{ clientId: CLIENT, mailbox: ALICE }],
    users: [{ username: CAROL.user, password: CAROL.pass }],
    mailboxes: [
      { user: ALICE, messages: 3 },
      { user: CAROL.user, messages: 5 },
    ],
  });
  ({ ca, dovecot, tokens: endpoint } = mail);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  deadPort = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  owner = await holder("owner", "Olivia");
  user = await holder("viewer", "Ursula");
  stranger = await holder("viewer", "Victor");

  oauthId = await create({
    format: "mcf-profile",
    version: 1,
    name: "Dovecot OAuth",
    connection: {
      protocol: "imap",
      mailServerUrl: "127.0.0.1",
      port: dovecot.ports.imapTls,
      security: "tls",
      trustedCaPem: ca.caPem,
    },
    authentication: {
      type: "oauth2",
      username: ALICE,
      tokenUrl: `${endpoint.url}/TENANT_ID/oauth2/v2.0/token`,
      tenantId: TENANT,
      method: "client_secret",
      requestProperties: {
        grant_type: "client_credentials",
        client_id: CLIENT,
        scope: "https://outlook.office365.com/.default",
        client_secret: SECRET,
      },
    },
  });
  basicId = await create({
    format: "mcf-profile",
    version: 1,
    name: "Dovecot POP3 Basic",
    connection: {
      protocol: "pop3",
      mailServerUrl: "127.0.0.1",
      port: dovecot.ports.pop3Starttls,
      security: "starttls",
      trustedCaPem: ca.caPem,
    },
    authentication: { type: "basic", username: CAROL.user, password: CAROL.pass },
  });
  closedId = await create({
    format: "mcf-profile",
    version: 1,
    name: "Closed port",
    connection: { protocol: "imap", mailServerUrl: "127.0.0.1", port: deadPort, security: "tls" },
    authentication: { type: "basic", username: "nobody", password: CAROL.pass },
  });
  await setProfileShare(oauthId, user.user.id, "use", owner.user);
});

afterAll(async () => {
  await mail?.stop();
  expect(replies.length).toBeGreaterThan(5);
  const leaks = replies.filter((reply) =>
    [SECRET, CAROL.pass, Buffer.from(CAROL.pass).toString("base64"), owner.token, user.token, stranger.token].some((s) =>
      reply.includes(s),
    ),
  );
  expect(
    leaks.map((reply) => reply.slice(0, 300)),
    "a secret came back in a response",
  ).toEqual([]);
  // access tokens are JWTs: none may survive anywhere in a response
  expect(replies.filter((reply) => /eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(reply))).toEqual([]);
});

const status = (result: { steps: { step: string; status: string }[] }) =>
  Object.fromEntries(result.steps.map((s) => [s.step, s.status]));

describe("POST /api/v1/profiles/{id}/test", () => {
  it("JSON: a real token from the stand-in opens alice's INBOX on Dovecot; the result is recorded and audited", async () => {
    const reply = await call(oauthId, { token: owner.token });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    conformsTo("TestResponse", JSON.parse(reply.text));
    const body = testResponseSchema.parse(JSON.parse(reply.text));
    expect(body.result.ok, JSON.stringify(body.result.steps, null, 2)).toBe(true);
    expect(body.recorded).toBe(true);
    expect(body.result.summary).toMatch(/^Connected: INBOX holds 3 messages/);
    expect(status(body.result)).toMatchObject({ token: "ok", claims: "ok", authenticate: "ok", mailbox: "ok" });

    const row = await prisma.profile.findUniqueOrThrow({
      where: { id: oauthId },
      select: { lastTestOk: true, lastTestSummary: true, version: true },
    });
    expect(row).toMatchObject({ lastTestOk: true, lastTestSummary: body.result.summary, version: 1 });
    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "profile.tested", objectId: oauthId },
      orderBy: { at: "desc" },
    });
    expect(event.actorId).toBe(owner.user.id);
    expect(JSON.parse(event.detail!)).toMatchObject({ ok: true, via: "api", draft: false });
  });

  it("NDJSON with Accept: application/x-ndjson: the plan first, each step as it ends, done last (POP3 with STLS, Basic)", async () => {
    const reply = await call(basicId, { token: owner.token, accept: "application/x-ndjson" });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/x-ndjson/);
    const lines = reply.text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    for (const line of lines) conformsTo("TestEvent", line);
    const events = lines.map((line) => testEventSchema.parse(line));
    expect(events[0]!.type).toBe("plan");
    const done = events.at(-1)!;
    expect(done.type).toBe("done");
    if (done.type !== "done") throw new Error("no done event");
    expect(done.result.ok, JSON.stringify(done.result.steps, null, 2)).toBe(true);
    expect(status(done.result)).toMatchObject({ starttls: "ok", authenticate: "ok", mailbox: "ok" });
    // every planned step ends exactly once, skipped ones included
    const planned = events[0]!.type === "plan" ? events[0]!.steps.map((s) => s.step) : [];
    expect(events.flatMap((e) => (e.type === "step" ? [e.result.step] : [])).sort()).toEqual([...planned].sort());
    expect((await prisma.profile.findUniqueOrThrow({ where: { id: basicId } })).lastTestOk).toBe(true);
  });

  it("a closed port: still 200, with a failing result at the TCP step, recorded as failing", async () => {
    const reply = await call(closedId, { token: owner.token, body: { freshToken: false } });
    expect(reply.status, reply.text).toBe(200);
    const body = testResponseSchema.parse(JSON.parse(reply.text));
    expect(body.result.ok).toBe(false);
    expect(status(body.result)).toMatchObject({ tcp: "fail", tls: "skipped", authenticate: "skipped" });
    expect(body.result.steps.find((s) => s.step === "tcp")!.cause).toBeTruthy();
    const row = await prisma.profile.findUniqueOrThrow({ where: { id: closedId } });
    expect(row.lastTestOk).toBe(false);
    expect(row.failingSince).not.toBeNull();
  });

  it("prefers JSON unless NDJSON is preferred; a bad body is 400", async () => {
    const json = await call(closedId, { token: owner.token, accept: "application/json, application/x-ndjson;q=0.5" });
    expect(json.contentType).toMatch(/^application\/json/);
    const ndjson = await call(closedId, { token: owner.token, accept: "application/x-ndjson, application/json;q=0.9" });
    expect(ndjson.contentType).toMatch(/^application\/x-ndjson/);
    const bad = await call(closedId, { token: owner.token, body: { freshToken: "yes", colour: "blue" } });
    expect(bad.status).toBe(400);
    expect(Object.keys(JSON.parse(bad.text).error.fields).sort()).toEqual(["$.colour", "$.freshToken"]);
  });

  it("Use access may test the saved profile; no access is 404 and nothing is recorded", async () => {
    const allowed = await call(oauthId, { token: user.token });
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.text).result.ok).toBe(true);

    const before = await prisma.auditEvent.count();
    const lastTest = (await prisma.profile.findUniqueOrThrow({ where: { id: oauthId } })).lastTestAt;
    const refused = await call(oauthId, { token: stranger.token });
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.text).error.code).toBe("not_found");
    expect(await prisma.auditEvent.count()).toBe(before);
    expect((await prisma.profile.findUniqueOrThrow({ where: { id: oauthId } })).lastTestAt).toEqual(lastTest);
    expect((await call("no-such-profile", { token: owner.token })).status).toBe(404);
  });
});
