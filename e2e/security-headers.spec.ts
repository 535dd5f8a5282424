/**
 * The pages' Content-Security-Policy (a per-request nonce with 'strict-dynamic', no 'unsafe-inline'
 * for scripts) and Permissions-Policy, in Chromium: the console still works under them, without a
 * single violation, and an injected inline script does not run.
 */
import { expect, test, type Page, type Response } from "@playwright/test";
import { createOAuthProfile, unique } from "./helpers";
import { e2eServers } from "./servers";

const servers = e2eServers();

/**
 * Everything Chromium reports against the page's policies, across navigations: the
 * securitypolicyviolation events and the console lines (CSP violations and Permissions-Policy
 * header errors), plus uncaught page errors (a blocked chunk shows up as one).
 */
async function watchPolicies(page: Page): Promise<() => string[]> {
  const reports: string[] = [];
  await page.exposeFunction("__reportViolation", (text: string) => reports.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportViolation(text: string): void }).__reportViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI} on ${event.documentURI} ${event.sample} ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy|Permissions-Policy/i.test(message.text()))
      reports.push(`console on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => reports.push(`page error: ${error.message}`));
  return () => [...reports];
}

function scriptSrc(response: Response | null): string {
  const policy = response?.headers()["content-security-policy"] ?? "";
  return (
    policy
      .split(";")
      .map((d) => d.trim())
      .find((d) => d.startsWith("script-src ")) ?? ""
  );
}

const nonceOf = (response: Response | null) => /'nonce-([^']+)'/.exec(scriptSrc(response))?.[1];

test("the main pages, a Test and a form save work without a single policy violation", async ({ page }) => {
  const reports = await watchPolicies(page);

  const pages: [string, string | RegExp][] = [
    ["/profiles", "Connection profiles"],
    ["/profiles/new", "New connection profile"],
    ["/profiles/import", /Import/],
    ["/certificates", "Certificates"],
    ["/certificates/new", /certificate/i],
    ["/users", "Users"],
    ["/audit", "Audit log"],
    ["/account", /Account|Your account/],
    ["/account/tokens", /token/i],
  ];
  for (const [path, heading] of pages) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  }

  // a form save through a server action (needs the page's scripts: the form validates before it sends)
  const id = await createOAuthProfile(page, { name: unique("CSP save"), secret: "csp-client-secret" });
  await page.goto(`/profiles/${id}/history`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  // dialogs (they lock the page's scrolling while open)
  await page.goto(`/profiles/${id}`);
  await page.getByRole("button", { name: "Share…" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.goto("/users");
  await page.getByRole("button", { name: "Invite user" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // a Test streamed from the route handler into the page
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(unique("CSP draft"));
  await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapStarttls}`);
  await page.getByLabel("Security").selectOption("starttls");
  await page.getByText("Trusted CA certificates (private servers)").click();
  await page.getByLabel("Extra trusted CA certificates (PEM)").fill(servers.caPem);
  await page.getByLabel("Authentication type").selectOption("basic");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(servers.basicUser);
  await page.getByLabel("Password").fill(servers.basicPassword);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-summary")).toContainText("INBOX holds 3 messages", { timeout: 30_000 });

  // client-side navigation loads further chunks: 'strict-dynamic' lets the page's own scripts load them
  await page.getByRole("link", { name: "Certificates", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Certificates" })).toBeVisible();

  // the not-found page renders per request too, so its scripts carry the nonce
  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  expect(nonceOf(missing)).toBeTruthy();

  expect(reports()).toEqual([]);
});

test("the sign-in page works under the policy too", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const reports = await watchPolicies(page);
  const response = await page.goto("/login");
  expect(nonceOf(response)).toBeTruthy();
  // a wrong password is answered by the server action, shown by the page's scripts
  await page.getByLabel("Email").fill("nobody@contoso.test");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /password/i })).toBeVisible();
  expect(reports()).toEqual([]);
  await context.close();
});

test("every page gets the policy with a nonce new for each request, carried by the page's scripts", async ({ page }) => {
  const first = await page.goto("/profiles");
  const second = await page.goto("/profiles");
  const nonce = nonceOf(second);
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(nonceOf(first)).not.toBe(nonce);
  expect(scriptSrc(second)).toBe(`script-src 'nonce-${nonce}' 'strict-dynamic'`);

  const policy = second!.headers()["content-security-policy"]!;
  for (const directive of [
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "default-src 'self'",
  ]) {
    expect(policy).toContain(directive);
  }
  expect(policy).not.toContain("unsafe-inline");
  expect(policy).not.toContain("unsafe-eval");
  // the scripts of the page on screen carry that response's nonce (the browser hides it from getAttribute)
  const scriptNonces = await page.evaluate(() => [...document.scripts].map((s) => s.nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));

  // the headers the console already sent stay, and the browser features it never uses are off
  const headers = second!.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("same-origin");
  for (const feature of ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"])
    expect(headers["permissions-policy"]).toContain(feature);

  // route handlers answer data, never a document that could run anything
  const api = await page.request.get("/api/schema/mcf-profile");
  expect(api.headers()["content-security-policy"]).toBe(
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  );
});

test("an injected inline script does not run", async ({ page }) => {
  const reports = await watchPolicies(page);
  await page.goto("/profiles");
  await expect(page.getByRole("heading", { level: 1, name: "Connection profiles" })).toBeVisible();
  // the classic stored-XSS payload, as if a value had reached the page unescaped
  await page.evaluate(() => {
    const holder = document.createElement("div");
    holder.innerHTML = `<img src="/injected.png" onerror="window.__injected = true">`;
    document.body.append(holder);
  });
  await expect.poll(reports).toContainEqual(expect.stringMatching(/^script-src-attr blocked inline/));
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});
