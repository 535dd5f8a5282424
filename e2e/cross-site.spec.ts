/**
 * A hostile page on another port of the console's host, opened by the signed-in owner. The session
 * cookie is SameSite=Lax, and 127.0.0.1:<other port> is the same site, so Chromium sends the
 * owner's cookie with every request the page makes: a `text/plain` no-cors fetch and a plain form
 * post need no CORS permission. The console must refuse them, and nothing may run: no Test reaches
 * its target, no audit event is written, no file is downloaded.
 */
import http from "node:http";
import net from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { auditCount, profileExists } from "./database";
import { CLIENT_ID, TENANT_ID, createOAuthProfile, rowValue, unique } from "./helpers";

const CONSOLE = `http://127.0.0.1:${process.env.E2E_PORT}`;

/** Counts connections: where the attacker's Test would connect if it ran. */
let target: net.Server;
let targetPort = 0;
let connections = 0;
/** Serves the attacker's pages. */
let attacker: http.Server;
let attackerOrigin = "";
const pages = new Map<string, string>();

test.beforeAll(async () => {
  target = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  targetPort = (target.address() as net.AddressInfo).port;
  attacker = http.createServer((request, response) => {
    const html = pages.get(request.url ?? "");
    response.writeHead(html ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" }).end(html ?? "not found");
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as net.AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker.close(resolve));
  await new Promise((resolve) => target.close(resolve));
});

/** A draft Basic profile aimed at the counting listener: what the attacker's Test would run. */
function draftProfile(name: string) {
  return {
    name,
    description: "",
    connection: {
      protocol: "imap",
      mailServerUrl: "127.0.0.1",
      port: String(targetPort),
      security: "tls",
      additionalProperties: [],
      trustedCaPem: "",
    },
    authentication: {
      type: "basic",
      username: "victim",
      password: "typed-password",
      tokenUrl: "",
      tenantId: "",
      method: "client_secret",
      clientAuthentication: "client_secret_post",
      requestProperties: [],
      certificate: { source: "stored", certificateId: "", certificatePem: "", privateKeyPem: "", privateKeyPassphrase: "" },
      assertion: { algorithm: "PS256", lifetimeSeconds: "" },
    },
    secrets: {
      stored: {
        password: false,
        client_secret: false,
        client_assertion: false,
        private_key: false,
        private_key_passphrase: false,
      },
      clear: [],
    },
  };
}

/**
 * The Cookie header Chromium put on the wire for requests to this URL. Playwright does not report
 * the headers of an opaque (no-cors) request, so this asks Chromium itself (DevTools protocol).
 */
async function cookiesSentTo(page: Page, url: string): Promise<() => string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const ids = new Set<string>();
  const cookies = new Map<string, string>();
  cdp.on("Network.requestWillBeSent", (event) => {
    if (event.request.url === url) ids.add(event.requestId);
  });
  cdp.on("Network.requestWillBeSentExtraInfo", (event) => {
    const cookie = Object.entries(event.headers).find(([key]) => key.toLowerCase() === "cookie")?.[1];
    cookies.set(event.requestId, String(cookie ?? ""));
  });
  return () => [...ids].map((id) => cookies.get(id) ?? "");
}

test("a no-cors text/plain fetch from another port cannot run a Test as the signed-in owner", async ({ page }) => {
  const name = unique("CSRF draft");
  const body = JSON.stringify({ profile: draftProfile(name), freshToken: true });
  pages.set(
    "/fetch",
    `<!doctype html><title>cat pictures</title><p id="state">sending</p><script>
      fetch(${JSON.stringify(`${CONSOLE}/api/profiles/test`)}, { method: "POST", mode: "no-cors", credentials: "include",
        headers: { "Content-Type": "text/plain" }, body: ${JSON.stringify(body)} })
        .then(() => { document.getElementById("state").textContent = "sent"; }, (e) => { document.getElementById("state").textContent = "failed " + e; });
    </script>`,
  );
  const sentCookies = await cookiesSentTo(page, `${CONSOLE}/api/profiles/test`);
  const answered = page.waitForResponse(`${CONSOLE}/api/profiles/test`);
  await page.goto(`${attackerOrigin}/fetch`);
  const response = await answered;
  await expect(page.locator("#state")).toHaveText("sent");
  // the attack is real: the browser sent the owner's session cookie along
  await expect.poll(sentCookies).toEqual([expect.stringContaining("mcf.session_token=")]);
  expect(response.status()).toBe(403);
  // the console answered before running anything: nothing reached the target, nothing was audited
  expect(connections).toBe(0);
  expect(auditCount("profile.tested", name)).toBe(0);

  // control: the same request from the console's own page runs, so the listener and the log would have shown the attack
  const control = unique("Own draft");
  await page.goto("/profiles");
  const status = await page.evaluate(
    async (text) =>
      (await fetch("/api/profiles/test", { method: "POST", headers: { "Content-Type": "application/json" }, body: text })).status,
    JSON.stringify({ profile: draftProfile(control), freshToken: true }),
  );
  expect(status).toBe(200);
  await expect.poll(() => connections).toBeGreaterThan(0);
  await expect.poll(() => auditCount("profile.tested", control)).toBe(1);
  expect(auditCount("profile.tested", name)).toBe(0);
});

test("a text/plain form posted from another port cannot export profiles", async ({ page }) => {
  // something to export, so that the attack would have had a file to download
  await createOAuthProfile(page, { name: unique("Exportable"), secret: "exportable-secret-value" });
  const exportsBefore = auditCount("profile.exported");
  // <form enctype="text/plain"> sends name=value; this name and value add up to valid JSON
  pages.set(
    "/form",
    `<!doctype html><title>win a prize</title>
    <form method="POST" action="${CONSOLE}/api/profiles/export" enctype="text/plain">
      <input type="hidden" name='{"ids":"all","includeSecrets":false,"x":"' value='"}'>
      <button>Claim your prize</button>
    </form>`,
  );
  await page.goto(`${attackerOrigin}/form`);
  const answered = page.waitForResponse(`${CONSOLE}/api/profiles/export`);
  await page.getByRole("button", { name: "Claim your prize" }).click();
  const response = await answered;
  // the attack is real: the browser sent the owner's session cookie along
  expect((await response.request().allHeaders()).cookie).toContain("mcf.session_token=");
  expect(response.status()).toBe(403);
  expect(response.headers()["content-disposition"]).toBeUndefined();
  // the refusal is what the owner sees, and it says what to do
  await expect(
    page.getByText(
      `This request came from another site (origin ${attackerOrigin}). Open the console at ${CONSOLE} and try again.`,
    ),
  ).toBeVisible();
  expect(auditCount("profile.exported")).toBe(exportsBefore);
});

test.describe("server actions against next start", () => {
  /** A real server action request, as the profile form sends it: its id, headers and body. */
  async function captureCreateProfile(page: Page) {
    const name = unique("Captured");
    await page.goto("/profiles/new");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByLabel("Username (mailbox)").fill("support@contoso.com");
    await page.getByLabel("Tenant ID").fill(TENANT_ID);
    await (await rowValue(page, "requestProperties", "client_id")).fill(CLIENT_ID);
    await (await rowValue(page, "requestProperties", "client_secret")).fill("captured-client-secret");
    const sent = page.waitForRequest((request) => request.method() === "POST" && request.headers()["next-action"] !== undefined);
    await page.getByRole("button", { name: "Create profile" }).click();
    const request = await sent;
    await expect(page.getByText("Profile saved.")).toBeVisible();
    const headers = request.headers();
    return {
      name,
      url: request.url(),
      body: request.postData() ?? "",
      headers: { "next-action": headers["next-action"]!, "content-type": headers["content-type"]!, accept: "text/x-component" },
    };
  }

  test("replayed from another site: 403 with a clear message, and nothing is created", async ({ page }) => {
    const captured = await captureCreateProfile(page);
    const renamed = unique("Forged");
    const body = captured.body.replaceAll(captured.name, renamed);
    expect(body).not.toBe(captured.body);

    const forged = await page.request.post(captured.url, {
      headers: { ...captured.headers, origin: attackerOrigin },
      data: body,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.json()).toEqual({
      error: {
        code: "forbidden",
        message: `This request came from another site (origin ${attackerOrigin}). Open the console at ${CONSOLE} and try again.`,
      },
    });
    expect(profileExists(renamed)).toBe(false);

    // control: the same request from the console's own origin creates the profile (the replay is a working action call)
    const own = await page.request.post(captured.url, { headers: { ...captured.headers, origin: CONSOLE }, data: body });
    expect(own.status()).toBe(200);
    expect(profileExists(renamed)).toBe(true);
  });

  test("over the 8 MB limit: 413 with a clear message, not a 500", async ({ page }) => {
    const captured = await captureCreateProfile(page);
    const renamed = unique("Oversized");
    const body = captured.body
      .replaceAll(captured.name, renamed)
      .replace('"description":""', `"description":"${"x".repeat(9 * 1024 * 1024)}"`);
    const response = await page.request.post(captured.url, { headers: { ...captured.headers, origin: CONSOLE }, data: body });
    expect(response.status()).toBe(413);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("too_large");
    expect(answer.error.message).toMatch(/^The request is too large: at most 8 MB can be sent to the console at once\. /);
    expect(profileExists(renamed)).toBe(false);
  });
});
