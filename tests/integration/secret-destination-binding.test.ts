/**
 * A stored secret goes only where it was saved to go. A hostile insider who may test or edit a
 * profile points it at servers they control — a recording IMAP server and a recording token
 * endpoint on 127.0.0.1 — leaves the secret fields blank, and tests or saves. Through the console's
 * Test route, the REST API and the profile services, at Use, Edit and owner level: the listeners
 * must receive neither the stored secret nor an access token bought with it. Positive controls
 * (the secret typed anew) prove the listeners would have seen the credential.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const session = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(session.cookie ? { cookie: session.cookie } : {}),
  cookies: async () => ({
    toString: () => session.cookie,
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
  }),
}));

const { prisma } = await import("@/lib/db/client");
const { getAuth } = await import("@/lib/auth/auth");
const { createUserWithPassword } = await import("@/lib/auth/users");
const { createApiToken } = await import("@/lib/api/tokens");
const { getProfileForEdit, readProfileSecrets } = await import("@/lib/db/profiles");
const { createProfile, updateProfile } = await import("@/lib/profile-operations/profile-service");
const { restoreRevision, missingSecrets } = await import("@/lib/profile-operations/revisions");
const { setProfileShare } = await import("@/lib/profile-operations/sharing");
const { generateCertificate, readCertificateKeyMaterial } = await import("@/lib/certs/certificate-store");
const { parseImportFile } = await import("@/lib/transfer/parse-import");
const { applyImport } = await import("@/lib/transfer/apply-import");
const { requestPropertiesFor } = await import("@/lib/profiles/oauth-defaults");
const { newProfileInput } = await import("@/lib/profiles/defaults");
const { createTestCa } = await import("@/tests/support/test-ca");
const { ALICE, CLIENT, TENANT, startMailFixture } = await import("@/tests/support/mail-fixture");
const { startRecordingImapServer, startRecordingTokenEndpoint } = await import("@/tests/servers/recording-servers");
type CurrentUser = import("@/lib/auth/session").CurrentUser;
type Role = import("@/lib/auth/permissions").Role;
type ProfileInput = import("@/lib/profiles/schema").ProfileInput;
type MailFixture = import("@/tests/support/mail-fixture").MailFixture;

const SECRET = `Qx8~bound-${crypto.randomBytes(8).toString("hex")}`;
const CAROL = { user: "carol@contoso.test", pass: `carol-pw-${crypto.randomBytes(6).toString("hex")}` };
const PASSWORD = "correct horse battery staple";

let ca: Awaited<ReturnType<typeof createTestCa>>;
let mail: MailFixture;
let dovecot: MailFixture["dovecot"];
let tokens: MailFixture["tokens"];
let evilImap: Awaited<ReturnType<typeof startRecordingImapServer>>;
let evilTokens: Awaited<ReturnType<typeof startRecordingTokenEndpoint>>;

interface Person {
  user: CurrentUser;
  cookie: string;
  token: string;
}
let owner: Person;
let editor: Person; // Edit share
let viewerEditing: Person; // viewer role with an Edit share
let viewerUsing: Person; // viewer role with a Use share

let oauthId: string;
let basicId: string;
let certProfileId: string;
let certificateId: string;
let otherCertificateId: string;

async function person(role: Role, name: string): Promise<Person> {
  const email = `${name}@binding.test`;
  const created = await createUserWithPassword({ email, name, password: PASSWORD, role });
  const response = await getAuth().api.signInEmail({
    body: { email, password: PASSWORD },
    headers: new Headers(),
    returnHeaders: true,
  });
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const user: CurrentUser = { id: created.id, name, email, role };
  const { token } = await createApiToken(user, { name: "binding test", expiresInDays: null });
  return { user, cookie, token };
}

const tokenUrl = () => `${tokens.url}/TENANT_ID/oauth2/v2.0/token`;

function oauthInput(name: string, secret: string): ProfileInput {
  const input = newProfileInput();
  input.name = name;
  input.connection.mailServerUrl = "127.0.0.1";
  input.connection.port = String(dovecot.ports.imapTls);
  input.connection.trustedCaPem = ca.caPem;
  input.authentication.username = ALICE;
  input.authentication.tokenUrl = tokenUrl();
  input.authentication.tenantId = TENANT;
  input.authentication.requestProperties = requestPropertiesFor("client_secret").map((row) =>
    row.key === "client_id" ? { ...row, value: CLIENT } : row.key === "client_secret" ? { ...row, value: secret } : row,
  );
  return input;
}

function basicProfileInput(name: string, password: string): ProfileInput {
  const input = newProfileInput();
  input.name = name;
  input.connection.mailServerUrl = "127.0.0.1";
  input.connection.port = String(dovecot.ports.imapTls);
  input.connection.trustedCaPem = ca.caPem;
  input.authentication.type = "basic";
  input.authentication.username = CAROL.user;
  input.authentication.password = password;
  return input;
}

function certificateInput(name: string, id: string): ProfileInput {
  const input = oauthInput(name, "");
  input.authentication.method = "client_certificate";
  input.authentication.requestProperties = requestPropertiesFor("client_certificate").map((row) =>
    row.key === "client_id" ? { ...row, value: CLIENT } : row,
  );
  input.authentication.certificate = { ...input.authentication.certificate, source: "stored", certificateId: id };
  return input;
}

/** The saved profile as its edit form holds it (secret fields blank), for drafting an attack. */
async function draftOf(id: string, as: Person): Promise<ProfileInput> {
  return structuredClone((await getProfileForEdit(id, as.user))!.input);
}

const pointMailAtListener = (draft: ProfileInput) => {
  draft.connection.port = String(evilImap.port);
  return draft;
};
const pointTokenAtListener = (draft: ProfileInput) => {
  draft.authentication.tokenUrl = `${evilTokens.url}/TENANT_ID/oauth2/v2.0/token`;
  return draft;
};

/** The console's Test button: POST /api/profiles/test with the browser's cookie. */
async function consoleTest(as: Person, profileId: string, draft: ProfileInput) {
  const { POST } = await import("@/app/api/profiles/test/route");
  session.cookie = as.cookie;
  try {
    const response = await POST(
      new Request("http://127.0.0.1/api/profiles/test", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "http://127.0.0.1",
          "sec-fetch-site": "same-origin",
          cookie: as.cookie,
          host: "127.0.0.1",
        },
        body: JSON.stringify({ profileId, profile: draft, freshToken: true }),
      }),
      { params: Promise.resolve({}) },
    );
    const text = await response.text();
    const done = text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type?: string; result?: { ok: boolean; summary: string } })
      .find((event) => event.type === "done");
    return {
      status: response.status,
      text,
      result: done?.result,
      body:
        response.status === 200 ? undefined : (JSON.parse(text) as { error: { code: string; fields?: Record<string, string> } }),
    };
  } finally {
    session.cookie = "";
  }
}

async function api(as: Person, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${as.token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(`http://127.0.0.1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const id = path.split("?")[0]!.split("/")[4]!;
  const response = path.endsWith("/test")
    ? await (await import("@/app/api/v1/profiles/[id]/test/route")).POST(request, { params: Promise.resolve({ id }) })
    : await (await import("@/app/api/v1/profiles/[id]/route")).PUT(request, { params: Promise.resolve({ id }) });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

/** Nothing an attacker could use reached the listeners: no connection at all, so no secret and no token. */
function expectListenersUntouched() {
  expect(evilImap.connections()).toBe(0);
  expect(evilTokens.connections()).toBe(0);
  expect(evilImap.received()).not.toContain(SECRET);
  expect(evilTokens.received()).not.toContain(SECRET);
}

beforeAll(async () => {
  ca = await createTestCa();
  evilImap = await startRecordingImapServer({ ca });
  evilTokens = await startRecordingTokenEndpoint(ca);
  owner = await person("owner", "olivia");
  editor = await person("editor", "edgar");
  viewerEditing = await person("viewer", "vera");
  viewerUsing = await person("viewer", "umberto");
  const first = await generateCertificate(
    { name: "Signing cert", commonName: "mcf-binding", keySize: 2048, validityDays: 30 },
    owner.user,
  );
  const second = await generateCertificate(
    { name: "Other cert", commonName: "mcf-binding-2", keySize: 2048, validityDays: 30 },
    owner.user,
  );
  certificateId = first.id;
  otherCertificateId = second.id;
  const certificatePem = (await readCertificateKeyMaterial(certificateId))!.certificatePem;
  mail = await startMailFixture({
    ca,
    apps: [{ clientId: CLIENT, secrets: [SECRET], certificatesPem: [certificatePem] }],
    grants: [{ clientId: CLIENT, mailbox: ALICE }],
    users: [{ username: CAROL.user, password: CAROL.pass }],
    mailboxes: [
      { user: ALICE, messages: 3 },
      { user: CAROL.user, messages: 2 },
    ],
  });
  ({ dovecot, tokens } = mail);
  oauthId = (await createProfile(oauthInput("Bound OAuth", SECRET), owner.user)).id;
  basicId = (await createProfile(basicProfileInput("Bound Basic", CAROL.pass), owner.user)).id;
  certProfileId = (await createProfile(certificateInput("Bound certificate", certificateId), owner.user)).id;
  for (const id of [oauthId, basicId, certProfileId]) {
    await setProfileShare(id, editor.user.id, "edit", owner.user);
    await setProfileShare(id, viewerEditing.user.id, "edit", owner.user);
    await setProfileShare(id, viewerUsing.user.id, "use", owner.user);
  }
});

beforeEach(() => {
  evilImap.reset();
  evilTokens.reset();
});

afterAll(async () => {
  await mail?.stop();
  await evilImap?.stop();
  await evilTokens?.stop();
});

describe("the console's Test route", () => {
  it("owner and Edit level: a retargeted mail server or token URL without the secret typed anew is refused on the secret field", async () => {
    for (const who of [owner, editor]) {
      const mail = await consoleTest(who, oauthId, pointMailAtListener(await draftOf(oauthId, who)));
      expect(mail.status, mail.text).toBe(400);
      expect(mail.body!.error.fields).toEqual({
        "authentication.requestProperties.3.value": expect.stringMatching(
          /^Re-enter the client secret: the mail server changed\./,
        ),
      });
      const token = await consoleTest(who, oauthId, pointTokenAtListener(await draftOf(oauthId, who)));
      expect(token.status, token.text).toBe(400);
      expect(token.body!.error.fields!["authentication.requestProperties.3.value"]).toMatch(
        /^Re-enter the client secret: the token URL changed\./,
      );
      // the mail host alone, with the token URL unchanged: the stand-in would issue a fresh token, which must not leave
      const before = tokens.requests.length;
      await consoleTest(who, oauthId, pointMailAtListener(await draftOf(oauthId, who)));
      expect(tokens.requests.length).toBe(before);
    }
    expectListenersUntouched();
  });

  it("Basic: a retargeted mail server without the password is refused; trust weakened counts as retargeted", async () => {
    const mail = await consoleTest(owner, basicId, pointMailAtListener(await draftOf(basicId, owner)));
    expect(mail.status, mail.text).toBe(400);
    expect(mail.body!.error.fields).toEqual({
      "authentication.password": expect.stringMatching(/^Re-enter the password: the mail server changed\./),
    });
    const trust = await draftOf(basicId, owner);
    trust.connection.additionalProperties = [{ key: "mail.imap.ssl.trust", value: "*" }];
    const weakened = await consoleTest(owner, basicId, trust);
    expect(weakened.status, weakened.text).toBe(400);
    expect(weakened.body!.error.fields!["authentication.password"]).toMatch(
      /the trusted certificates or certificate checks changed/,
    );
    const security = await draftOf(basicId, owner);
    security.connection.security = "starttls";
    security.connection.port = String(dovecot.ports.imapStarttls);
    expect((await consoleTest(owner, basicId, security)).status).toBe(400);
    expectListenersUntouched();
  });

  it("Use level: a draft is ignored and the saved configuration is tested, against the saved servers", async () => {
    const run = await consoleTest(
      viewerUsing,
      oauthId,
      pointTokenAtListener(pointMailAtListener(await draftOf(oauthId, viewerUsing))),
    );
    expect(run.status, run.text).toBe(200);
    expect(run.result).toMatchObject({ ok: true, summary: expect.stringContaining("INBOX holds 3 messages") });
    expectListenersUntouched();
  });

  it("unchanged destinations: the stored secret is used, and the audit event names the destinations", async () => {
    const draft = await draftOf(oauthId, editor);
    draft.description = "changed, but not where it points";
    const run = await consoleTest(editor, oauthId, draft);
    expect(run.result, run.text).toMatchObject({ ok: true });
    const event = await prisma.auditEvent.findFirst({
      where: { action: "profile.tested", objectId: oauthId, actorId: editor.user.id },
      orderBy: { at: "desc" },
    });
    expect(JSON.parse(event!.detail!)).toMatchObject({
      draft: true,
      mailServer: `127.0.0.1:${dovecot.ports.imapTls}/tls`,
      tokenHost: new URL(tokens.url).host,
      storedSecretsUsed: ["client_secret"],
    });
    expectListenersUntouched();
  });

  // Positive controls: with the secret typed anew the draft goes where it points — so the listeners
  // above would have seen the credential, had the rule let it through.
  it("with the secret typed anew, a retargeted draft runs (the listener receives the typed credential)", async () => {
    const draft = pointTokenAtListener(await draftOf(oauthId, owner));
    draft.authentication.requestProperties = draft.authentication.requestProperties.map((row) =>
      row.key === "client_secret" ? { ...row, value: "typed-by-the-tester" } : row,
    );
    await consoleTest(owner, oauthId, draft);
    expect(evilTokens.received()).toContain("client_secret=typed-by-the-tester");
    expect(evilTokens.received()).not.toContain(SECRET);
    const basic = pointMailAtListener(await draftOf(basicId, owner));
    basic.authentication.password = "typed-password-value";
    await consoleTest(owner, basicId, basic);
    expect(evilImap.received()).toContain("typed-password-value");
    expect(evilImap.received()).not.toContain(CAROL.pass);
  });
});

describe("saving through the REST API and the profile service", () => {
  const documentFor = (port: number, url: string) => ({
    format: "mcf-profile",
    version: 1,
    name: "Bound OAuth",
    connection: { protocol: "imap", mailServerUrl: "127.0.0.1", port, security: "tls", trustedCaPem: ca.caPem },
    authentication: {
      type: "oauth2",
      username: ALICE,
      tokenUrl: url,
      tenantId: TENANT,
      method: "client_secret",
      requestProperties: { grant_type: "client_credentials", client_id: CLIENT, scope: "https://outlook.office365.com/.default" },
    },
  });

  it("PUT that retargets the mail server or the token URL and leaves the secret out is refused at the secret's JSON path, nothing saved", async () => {
    const version = (await prisma.profile.findUniqueOrThrow({ where: { id: oauthId } })).version;
    for (const who of [owner, editor]) {
      const mail = await api(
        who,
        "PUT",
        `/api/v1/profiles/${oauthId}?version=${version}`,
        documentFor(evilImap.port, tokenUrl()),
      );
      expect(mail.status, mail.text).toBe(400);
      expect(JSON.stringify(mail.json)).toMatch(
        /requestProperties\.client_secret.*Re-enter the client secret: the mail server changed/,
      );
      const token = await api(
        who,
        "PUT",
        `/api/v1/profiles/${oauthId}?version=${version}`,
        documentFor(dovecot.ports.imapTls, `${evilTokens.url}/TENANT_ID/oauth2/v2.0/token`),
      );
      expect(token.status, token.text).toBe(400);
      expect(JSON.stringify(token.json)).toMatch(/Re-enter the client secret: the token URL changed/);
    }
    expect((await prisma.profile.findUniqueOrThrow({ where: { id: oauthId } })).version).toBe(version);
    // the saved profile still tests against its own servers
    const run = await api(owner, "POST", `/api/v1/profiles/${oauthId}/test`);
    expect(run.json).toMatchObject({ result: { ok: true } });
    expectListenersUntouched();
  });

  it("a save that changes a destination with the secret typed anew is accepted and binds it to the new destination", async () => {
    const id = (await createProfile(oauthInput("Moves house", SECRET), owner.user)).id;
    const moved = await draftOf(id, owner);
    moved.connection.port = String(dovecot.ports.imapTls); // unchanged mail server
    moved.authentication.tokenUrl = `${tokens.url}/${TENANT}/oauth2/v2.0/token`; // the same endpoint, tenant written out
    expect(await updateProfile(id, 1, moved, owner.user)).toEqual({ id, version: 2 });
    const elsewhere = pointMailAtListener(await draftOf(id, owner));
    await expect(updateProfile(id, 2, elsewhere, owner.user)).rejects.toMatchObject({
      code: "invalid_input",
      fields: { "authentication.requestProperties.3.value": expect.stringMatching(/mail server changed/) },
    });
    elsewhere.authentication.requestProperties[3]!.value = "a-new-secret-for-the-new-host";
    expect(await updateProfile(id, 2, elsewhere, owner.user)).toEqual({ id, version: 3 });
    const row = await prisma.profileSecret.findFirstOrThrow({ where: { profileId: id, field: "client_secret" } });
    expect(JSON.parse(row.destination!)).toMatchObject({ mail: `127.0.0.1:${evilImap.port}/tls` });
  });

  it("restore and import point the profile elsewhere: the secret bound to the old destination is removed and asked for", async () => {
    const id = (await createProfile(oauthInput("Time traveller", SECRET), owner.user)).id;
    const moved = pointMailAtListener(await draftOf(id, owner));
    moved.authentication.requestProperties[3]!.value = "secret-for-the-listener";
    await updateProfile(id, 1, moved, owner.user);
    await restoreRevision(id, 1, 2, owner.user);
    expect(await readProfileSecrets(id)).toEqual({});
    expect(await missingSecrets(id)).toEqual(["client_secret"]);

    const imported = (await createProfile(oauthInput("Import target", SECRET), owner.user)).id;
    const file = { ...documentFor(evilImap.port, tokenUrl()), name: "Import target" };
    (file.authentication.requestProperties as Record<string, unknown>).client_secret = null;
    const parsed = await parseImportFile(JSON.stringify(file));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const result = await applyImport(parsed.documents, [{ index: 0, action: "replace" }], owner.user);
    expect(result).toMatchObject({ ok: true, replaced: [{ id: imported, missingSecrets: ["client_secret"] }] });
    expect(await readProfileSecrets(imported)).toEqual({});
  });

  it("a secret stored before bindings existed is bound to the saved configuration", async () => {
    const id = (await createProfile(oauthInput("Legacy row", SECRET), owner.user)).id;
    await prisma.profileSecret.updateMany({ where: { profileId: id }, data: { destination: null } });
    const retargeted = await consoleTest(owner, id, pointMailAtListener(await draftOf(id, owner)));
    expect(retargeted.status).toBe(400);
    const saved = await consoleTest(owner, id, await draftOf(id, owner));
    expect(saved.result).toMatchObject({ ok: true });
    expectListenersUntouched();
  });
});

describe("stored certificates need the role that may use certificates", () => {
  it("a viewer with an Edit share cannot attach a certificate, nor point a certificate profile elsewhere, by save or draft Test", async () => {
    const attach = await draftOf(certProfileId, viewerEditing);
    attach.authentication.certificate.certificateId = otherCertificateId;
    await expect(updateProfile(certProfileId, 1, attach, viewerEditing.user)).rejects.toMatchObject({ code: "forbidden" });
    const retarget = pointTokenAtListener(await draftOf(certProfileId, viewerEditing));
    await expect(updateProfile(certProfileId, 1, retarget, viewerEditing.user)).rejects.toMatchObject({ code: "forbidden" });
    const draft = await consoleTest(
      viewerEditing,
      certProfileId,
      pointTokenAtListener(await draftOf(certProfileId, viewerEditing)),
    );
    expect(draft.status, draft.text).toBe(403);
    const basic = await draftOf(basicId, viewerEditing);
    const sneaky = certificateInput("Bound Basic", certificateId);
    sneaky.authentication.username = basic.authentication.username;
    const version = (await prisma.profile.findUniqueOrThrow({ where: { id: basicId } })).version;
    await expect(updateProfile(basicId, version, sneaky, viewerEditing.user)).rejects.toMatchObject({ code: "forbidden" });
    expectListenersUntouched();
  });

  it("the same viewer may still edit the rest and test the saved configuration; an editor may retarget", async () => {
    const described = await draftOf(certProfileId, viewerEditing);
    described.description = "viewer notes";
    expect(await updateProfile(certProfileId, 1, described, viewerEditing.user)).toEqual({ id: certProfileId, version: 2 });
    const run = await consoleTest(viewerEditing, certProfileId, await draftOf(certProfileId, viewerEditing));
    expect(run.result, run.text).toMatchObject({ ok: true });
    const moved = await draftOf(certProfileId, editor);
    moved.authentication.tokenUrl = `${tokens.url}/${TENANT}/oauth2/v2.0/token`;
    expect(await updateProfile(certProfileId, 2, moved, editor.user)).toEqual({ id: certProfileId, version: 3 });
  });
});
