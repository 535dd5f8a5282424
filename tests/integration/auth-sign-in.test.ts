/**
 * Signing in, attacked: the failed sign-in throttle (per account and address, progressive, shared by
 * the form's server action and the HTTP endpoint, never a lockout of the account), the admin unlock,
 * client addresses that a spoofed X-Forwarded-For cannot change, and where the form sends you after.
 *
 * The process is marked as running behind scripts/server.mjs, and each request carries the TCP
 * peer's address in x-mcf-peer-address as that server writes it; "192.0.2.1" is a trusted reverse
 * proxy (MCF_TRUST_PROXY).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const browser = vi.hoisted(() => {
  process.env.MCF_TRUST_PROXY = "192.0.2.1";
  (globalThis as Record<symbol, unknown>)[Symbol.for("mcf.server.peer-address-header")] = true;
  return { cookie: "", peer: "198.51.100.7", forwardedFor: "" };
});
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({
      cookie: browser.cookie,
      host: "127.0.0.1",
      "x-mcf-peer-address": browser.peer,
      ...(browser.forwardedFor ? { "x-forwarded-for": browser.forwardedFor } : {}),
    }),
  cookies: async () => ({
    toString: () => browser.cookie,
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { digest: `NEXT_REDIRECT;replace;${url};307;` });
  },
}));

const { signInAction } = await import("@/lib/actions/auth");
const { unlockUserSignInAction } = await import("@/lib/actions/users");
const { POST } = await import("@/app/api/auth/[...all]/route");
const { getAuth } = await import("@/lib/auth/auth");
const { createFirstOwner, createUserWithPassword } = await import("@/lib/auth/users");
const { prisma } = await import("@/lib/db/client");
const { unlockSignIn } = await import("@/lib/users/unlock-sign-in");
const { listUsers } = await import("@/lib/users/list-users");
const { ACCOUNT_FREE_ATTEMPTS, ADDRESS_FREE_ATTEMPTS, BASE_DELAY_MS } = await import("@/lib/auth/sign-in-throttle");
type CurrentUser = import("@/lib/auth/session").CurrentUser;

const PASSWORD = "correct horse battery staple";
const WRONG = "not the password at all";
let owner: CurrentUser;
let admin: CurrentUser;
let adminCookie: string;
let clock: number;
let addressCounter = 0;

/** A fresh documentation address (TEST-NET-3) nobody has used in this file yet. */
const freshAddress = () => `203.0.113.${++addressCounter}`;

type FormResult = { redirectedTo?: string; error?: string };

/** The sign-in form as the browser posts it, from the TCP peer `peer`. */
async function formSignIn(
  email: string,
  password: string,
  peer: string,
  extra: { next?: string; forwardedFor?: string } = {},
): Promise<FormResult> {
  browser.peer = peer;
  browser.forwardedFor = extra.forwardedFor ?? "";
  const form = new FormData();
  form.set("email", email);
  form.set("password", password);
  if (extra.next !== undefined) form.set("next", extra.next);
  try {
    const state = await signInAction(undefined, form);
    return { error: state?.error };
  } catch (error) {
    const digest = (error as { digest?: string }).digest;
    if (digest?.startsWith("NEXT_REDIRECT")) return { redirectedTo: digest.split(";")[2] };
    throw error;
  } finally {
    browser.forwardedFor = "";
  }
}

/** POST /api/auth/sign-in/email through the route handler, from the TCP peer `peer`. */
async function httpSignIn(email: string, password: string, peer: string, forwardedFor?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", host: "127.0.0.1", "x-mcf-peer-address": peer };
  if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
  return POST(
    new Request("http://127.0.0.1/api/auth/sign-in/email", {
      method: "POST",
      headers,
      body: JSON.stringify({ email, password }),
    }),
  );
}

const signedIn = (result: FormResult) => result.redirectedTo !== undefined;

/** Moves the clock on (Date only: the database and the sockets keep real time). */
function wait(ms: number) {
  clock += ms;
  vi.setSystemTime(clock);
}

async function newUser(email: string, role: "admin" | "editor" | "viewer" = "editor"): Promise<CurrentUser> {
  const created = await createUserWithPassword({ email, name: email.split("@")[0]!, password: PASSWORD, role });
  return { id: created.id, name: created.name, email: created.email, role };
}

const failedEvents = (email: string) =>
  prisma.auditEvent.findMany({ where: { action: "auth.sign_in_failed", objectLabel: email }, orderBy: { at: "asc" } });

beforeAll(async () => {
  const created = await createFirstOwner({ email: "owner@example.test", name: "Olivia Owner", password: PASSWORD });
  owner = { ...created!, role: "owner" };
  admin = await newUser("adam@example.test", "admin");
  const response = await getAuth().api.signInEmail({
    body: { email: admin.email, password: PASSWORD },
    headers: new Headers({ "x-mcf-peer-address": "198.18.0.1" }),
    returnHeaders: true,
  });
  adminCookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
});

afterAll(() => {
  delete process.env.MCF_TRUST_PROXY;
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("mcf.server.peer-address-header")];
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  clock = Date.now();
  vi.setSystemTime(clock);
  browser.cookie = "";
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the failed sign-in throttle", () => {
  it("slows one address on one account: after 3 failures even the right password waits, and the wait doubles", async () => {
    const sam = await newUser("sam@example.test");
    const attacker = freshAddress();
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++)
      expect(await formSignIn(sam.email, WRONG, attacker)).toEqual({ error: "Wrong email or password." });

    // the right password is not even checked while waiting
    expect(await formSignIn(sam.email, PASSWORD, attacker)).toEqual({
      error: "Too many attempts from this address for this account: try again in 5 seconds.",
    });
    expect(await failedEvents(sam.email)).toHaveLength(ACCOUNT_FREE_ATTEMPTS);

    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      wait(BASE_DELAY_MS * 2 ** i);
      expect(await formSignIn(sam.email, WRONG, attacker)).toEqual({ error: "Wrong email or password." });
      const refused = await formSignIn(sam.email, WRONG, attacker);
      waits.push(Number(/in (\d+) seconds/.exec(refused.error ?? "")?.[1]));
    }
    expect(waits).toEqual([10, 20, 40, 80]);
    expect(await failedEvents(sam.email)).toHaveLength(ACCOUNT_FREE_ATTEMPTS + 4);

    wait(80_000);
    expect(signedIn(await formSignIn(sam.email, PASSWORD, attacker))).toBe(true);
    // a success starts the count afresh for that address
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++)
      expect(await formSignIn(sam.email, WRONG, attacker)).toEqual({ error: "Wrong email or password." });
  });

  it("the right password from a fresh address works after an attacker's 20 failures, from one address or from twenty", async () => {
    const rae = await newUser("rae@example.test");
    const attacker = freshAddress();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await formSignIn(rae.email, WRONG, attacker));
    // three were checked, the rest were turned away unchecked
    expect(answers.filter((a) => a.error === "Wrong email or password.")).toHaveLength(ACCOUNT_FREE_ATTEMPTS);
    for (let i = 0; i < 20; i++)
      expect(await formSignIn(rae.email, WRONG, freshAddress())).toEqual({ error: "Wrong email or password." });

    expect(await formSignIn(rae.email, PASSWORD, freshAddress())).toEqual({ redirectedTo: "/profiles" });
    // the attacker's own address is still waiting, right password or not
    expect((await formSignIn(rae.email, PASSWORD, attacker)).error).toMatch(
      /^Too many attempts from this address for this account: try again in \d+ seconds\.$/,
    );
  });

  it("never locks the owner out: failures from other addresses do not stop the owner's sign-in from a new one", async () => {
    for (let i = 0; i < 20; i++) await formSignIn(owner.email, WRONG, "198.51.100.66");
    for (let i = 0; i < 20; i++) await httpSignIn(owner.email, WRONG, freshAddress());
    expect(await formSignIn(owner.email, PASSWORD, freshAddress())).toEqual({ redirectedTo: "/profiles" });
    expect((await httpSignIn(owner.email, PASSWORD, freshAddress())).status).toBe(200);
  });

  it("counts the HTTP endpoint and the form together: failures on one are waited out on the other", async () => {
    const tess = await newUser("tess@example.test");
    const attacker = freshAddress();
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++) expect((await httpSignIn(tess.email, WRONG, attacker)).status).toBe(401);
    expect(await formSignIn(tess.email, PASSWORD, attacker)).toEqual({
      error: "Too many attempts from this address for this account: try again in 5 seconds.",
    });

    const ulla = await newUser("ulla@example.test");
    const other = freshAddress();
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++) await formSignIn(ulla.email, WRONG, other);
    const refused = await httpSignIn(ulla.email, PASSWORD, other);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(await refused.json()).toMatchObject({
      code: "SIGN_IN_THROTTLED",
      message: "Too many attempts from this address for this account: try again in 5 seconds.",
    });
    expect(refused.headers.getSetCookie()).toEqual([]);
  });

  it("slows one address trying many accounts, and not the others", async () => {
    const sprayer = freshAddress();
    const answers = [];
    for (let i = 0; i < ADDRESS_FREE_ATTEMPTS + 5; i++) answers.push(await formSignIn(`nobody${i}@example.test`, WRONG, sprayer));
    expect(answers.filter((a) => a.error === "Wrong email or password.")).toHaveLength(ADDRESS_FREE_ATTEMPTS);
    expect(answers.at(-1)!.error).toMatch(/^Too many failed sign-ins from this address: try again in \d+ seconds\.$/);
    const vic = await newUser("vic@example.test");
    expect(signedIn(await formSignIn(vic.email, PASSWORD, freshAddress()))).toBe(true);
  });

  it("lets no burst of parallel guesses through: at most 3 are checked", async () => {
    // through the form: the HTTP endpoint's own per-address rate limit would hide what the throttle does
    const wes = await newUser("wes@example.test");
    const attacker = freshAddress();
    const answers = await Promise.all(Array.from({ length: 12 }, () => formSignIn(wes.email, WRONG, attacker)));
    const checked = answers.filter((a) => a.error === "Wrong email or password.").length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(ACCOUNT_FREE_ATTEMPTS);
    expect(answers.filter((a) => a.error?.startsWith("Too many attempts")).length).toBe(12 - checked);
    expect((await failedEvents(wes.email)).length).toBe(checked);
  });
});

describe("a spoofed X-Forwarded-For", () => {
  it("neither escapes the throttle nor lands in the audit log", async () => {
    const xena = await newUser("xena@example.test");
    const attacker = freshAddress();
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++) {
      expect(await formSignIn(xena.email, WRONG, attacker, { forwardedFor: `10.66.0.${i}` })).toEqual({
        error: "Wrong email or password.",
      });
    }
    expect((await formSignIn(xena.email, PASSWORD, attacker, { forwardedFor: "10.66.1.1" })).error).toMatch(/^Too many attempts/);
    expect((await httpSignIn(xena.email, PASSWORD, attacker, "10.66.1.2")).status).toBe(429);
    const events = await failedEvents(xena.email);
    expect(events.map((e) => e.ip)).toEqual([attacker, attacker, attacker]);

    wait(BASE_DELAY_MS);
    expect(signedIn(await formSignIn(xena.email, PASSWORD, attacker, { forwardedFor: "10.66.2.2" }))).toBe(true);
    const signIn = await prisma.auditEvent.findFirstOrThrow({ where: { action: "auth.sign_in", actorId: xena.id } });
    expect(signIn.ip).toBe(attacker);
    const session = await prisma.session.findFirstOrThrow({ where: { userId: xena.id } });
    expect(session.ipAddress).toBe(attacker);
  });

  it("behind the trusted proxy, the hop the proxy saw is the client, not what the client claimed", async () => {
    const yuri = await newUser("yuri@example.test");
    const client = freshAddress();
    // the client claims 10.66.9.9; the proxy (192.0.2.1, trusted) appends the address it saw
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++)
      await formSignIn(yuri.email, WRONG, "192.0.2.1", { forwardedFor: `10.66.9.${i}, ${client}` });
    expect((await formSignIn(yuri.email, PASSWORD, "192.0.2.1", { forwardedFor: `10.66.9.99, ${client}` })).error).toMatch(
      /^Too many attempts/,
    );
    expect((await failedEvents(yuri.email)).map((e) => e.ip)).toEqual([client, client, client]);
    // another client behind the same proxy is not slowed
    expect(signedIn(await formSignIn(yuri.email, PASSWORD, "192.0.2.1", { forwardedFor: freshAddress() }))).toBe(true);
  });
});

describe("unlocking an account's sign-in", () => {
  it("lets a slowed address try again at once, is audited, and shows on the users page until then", async () => {
    const zoe = await newUser("zoe@example.test", "viewer");
    const home = freshAddress();
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS + 1; i++) await formSignIn(zoe.email, WRONG, home);
    expect((await formSignIn(zoe.email, PASSWORD, home)).error).toMatch(/^Too many attempts/);
    expect((await listUsers(owner)).find((u) => u.id === zoe.id)?.signInSlowed).toMatchObject({ addresses: 1 });

    browser.cookie = adminCookie;
    expect(await unlockUserSignInAction({ userId: zoe.id })).toEqual({ ok: true, data: { addressesCleared: 1 } });
    browser.cookie = "";
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.sign_in_unlocked", objectId: zoe.id } });
    expect(event).toMatchObject({ actorId: admin.id, objectLabel: zoe.email });
    expect(JSON.parse(event.detail!)).toEqual({ addressesCleared: 1 });
    expect((await listUsers(owner)).find((u) => u.id === zoe.id)?.signInSlowed).toBeNull();

    expect(signedIn(await formSignIn(zoe.email, PASSWORD, home))).toBe(true);
  });

  it("follows the user rules: nobody unlocks the owner, only the owner unlocks an admin, editors unlock nobody", async () => {
    const home = freshAddress();
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++) await formSignIn(owner.email, WRONG, home);
    const before = await prisma.signInThrottle.count({ where: { account: owner.email } });
    await expect(unlockSignIn(admin, owner.id)).rejects.toMatchObject({
      code: "forbidden",
      userMessage: "Nobody can unlock the sign-in of the console owner.",
    });
    expect(await prisma.signInThrottle.count({ where: { account: owner.email } })).toBe(before);

    const otherAdmin = await newUser("abe@example.test", "admin");
    for (let i = 0; i < ACCOUNT_FREE_ATTEMPTS; i++) await formSignIn(otherAdmin.email, WRONG, home);
    await expect(unlockSignIn(admin, otherAdmin.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(unlockSignIn(owner, otherAdmin.id)).resolves.toEqual({ addressesCleared: 1 });

    const editor = await newUser("eda@example.test", "editor");
    await expect(unlockSignIn(editor, otherAdmin.id)).rejects.toMatchObject({ code: "forbidden" });
    // nothing to clear: no event
    await expect(unlockSignIn(owner, editor.id)).resolves.toEqual({ addressesCleared: 0 });
    expect(await prisma.auditEvent.count({ where: { action: "user.sign_in_unlocked", objectId: editor.id } })).toBe(0);
  });

  it("is refused to a signed-out caller", async () => {
    const fay = await newUser("fay@example.test");
    expect(await unlockUserSignInAction({ userId: fay.id })).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
  });
});

describe("after signing in", () => {
  it.each([
    ["/\\evil.test"],
    ["//evil.test"],
    ["/%5Cevil.test"],
    ["/\t/evil.test"],
    ["https://evil.test/profiles"],
    ["javascript:alert(1)"],
    ["/.//evil.test"],
  ])("the form never sends you off the console (next=%j)", async (next) => {
    const result = await formSignIn(owner.email, PASSWORD, freshAddress(), { next });
    expect(result).toEqual({ redirectedTo: "/profiles" });
  });

  it("the form goes on to a console path it was given", async () => {
    expect(await formSignIn(owner.email, PASSWORD, freshAddress(), { next: "/audit?action=auth.sign_in" })).toEqual({
      redirectedTo: "/audit?action=auth.sign_in",
    });
  });
});
