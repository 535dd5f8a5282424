import { expect, test, type Page } from "@playwright/test";
import { rowValue, unique } from "./helpers";
import { e2eServers, holdTokenAnswers } from "./servers";

const servers = e2eServers();

async function fillOAuthProfile(page: Page, options: { name: string; tokenUrl?: string; secret?: string }) {
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(options.name);
  await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapTls}`);
  await page.getByText("Trusted CA certificates (private servers)").click();
  await page.getByLabel("Extra trusted CA certificates (PEM)").fill(servers.caPem);
  await page.getByLabel("Username (mailbox)").fill(servers.mailbox);
  await page.getByLabel("Token URL").fill(options.tokenUrl ?? servers.tokenUrl);
  await page.getByLabel("Tenant ID").fill(servers.tenantId);
  await (await rowValue(page, "requestProperties", "client_id")).fill(servers.clientId);
  await (await rowValue(page, "requestProperties", "client_secret")).fill(options.secret ?? servers.clientSecret);
}

const step = (page: Page, id: string) => page.locator(`[data-step="${id}"]`);

test("Test on a saved profile: steps appear as they finish, the login reaches Dovecot, the list shows the result", async ({
  page,
}) => {
  const name = unique("Live test");
  await fillOAuthProfile(page, { name, tokenUrl: servers.holdableTokenUrl });
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();

  // the token request gets no answer until the page has shown the steps that finished without it
  await holdTokenAnswers(true);
  try {
    await page.getByRole("button", { name: "Test connection" }).click();
    // the connection steps finish while the token request is still pending: they stream in
    await expect(step(page, "tls")).toHaveAttribute("data-status", "ok");
    await expect(step(page, "token")).toHaveAttribute("data-status", "running");
    await expect(page.getByRole("button", { name: "Cancel" })).toBeVisible();
  } finally {
    await holdTokenAnswers(false);
  }

  await expect(page.getByTestId("test-summary")).toContainText(`INBOX holds ${servers.mailboxMessages} messages`, {
    timeout: 30_000,
  });
  for (const id of ["lint", "dns", "tcp", "tls", "greeting", "token", "claims", "authenticate", "mailbox"]) {
    await expect(step(page, id)).toHaveAttribute("data-status", /ok|warn/);
  }
  await expect(step(page, "tls")).toContainText("TLS");

  await page.goto("/profiles");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("verified");
});

test("Test on an unsaved draft with Basic authentication over STARTTLS", async ({ page }) => {
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(unique("Draft"));
  await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapStarttls}`);
  await page.getByLabel("Security").selectOption("starttls");
  await page.getByText("Trusted CA certificates (private servers)").click();
  await page.getByLabel("Extra trusted CA certificates (PEM)").fill(servers.caPem);
  await page.getByLabel("Authentication type").selectOption("basic");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(servers.basicUser);
  await page.getByLabel("Password").fill(servers.basicPassword);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-summary")).toContainText("INBOX holds 3 messages", { timeout: 30_000 });
  await expect(step(page, "starttls")).toHaveAttribute("data-status", "ok");
  await expect(step(page, "token")).toHaveAttribute("data-status", "skipped");
  await expect(page).toHaveURL(/\/profiles\/new$/);
});

test("a failing Test names the failing step, its cause and the fix", async ({ page }) => {
  await fillOAuthProfile(page, { name: unique("Wrong secret"), secret: "this-is-not-the-secret" });
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(step(page, "token")).toHaveAttribute("data-status", "fail", { timeout: 30_000 });
  await expect(step(page, "token")).toContainText("AADSTS7000215");
  await expect(step(page, "token")).toContainText("Fix:");
  await expect(step(page, "authenticate")).toHaveAttribute("data-status", "skipped");
  await expect(page.getByTestId("test-summary")).toBeVisible();
  // the transcript can be downloaded, and it carries no secret
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download transcript" }).click(),
  ]);
  const text = await (await import("node:fs")).promises.readFile((await download.path())!, "utf8");
  expect(text).toContain("Access token");
  expect(text).not.toContain("this-is-not-the-secret");
});
