import { expect, test } from "@playwright/test";
import { rowValue, unique } from "./helpers";
import { e2eServers } from "./servers";

const servers = e2eServers();

test("a stored secret does not follow a changed destination: the form says so, Test and Save ask for it again", async ({
  page,
}) => {
  const name = unique("Bound");
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapTls}`);
  await page.getByText("Trusted CA certificates (private servers)").click();
  await page.getByLabel("Extra trusted CA certificates (PEM)").fill(servers.caPem);
  await page.getByLabel("Username (mailbox)").fill(servers.mailbox);
  await page.getByLabel("Token URL").fill(servers.tokenUrl);
  await page.getByLabel("Tenant ID").fill(servers.tenantId);
  await (await rowValue(page, "requestProperties", "client_id")).fill(servers.clientId);
  await (await rowValue(page, "requestProperties", "client_secret")).fill(servers.clientSecret);
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();

  // pointing the mail server elsewhere: the notice appears beside the connection fields at once
  const mailServer = page.getByLabel("Mail server URL");
  await mailServer.fill(`127.0.0.1:${servers.ports.imapStarttls}`);
  const mailNotice = page
    .getByRole("status")
    .filter({ hasText: "The mail server changed: type the client secret again to test or save." });
  await expect(mailNotice).toBeVisible();

  // Test without the secret is refused on the secret's own field, before anything is sent
  await page.getByRole("button", { name: "Test connection" }).click();
  const secretValue = await rowValue(page, "requestProperties", "client_secret");
  await expect(page.getByText(/^Re-enter the client secret: the mail server changed\./)).toBeVisible();
  await expect(secretValue).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("test-summary")).toHaveCount(0);

  // Save is refused the same way, and nothing is saved
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("A destination changed: type the secret again to save (see the message beside it).")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Mail server URL")).toHaveValue(`127.0.0.1:${servers.ports.imapTls}`);

  // the token URL is a destination too; putting it back removes the notice
  const tokenUrl = page.getByLabel("Token URL");
  await tokenUrl.fill(servers.holdableTokenUrl);
  await expect(page.getByRole("status").filter({ hasText: "The token URL changed: type the client secret again" })).toBeVisible();
  await tokenUrl.fill(servers.tokenUrl);
  await expect(page.getByRole("status").filter({ hasText: "changed: type the client secret again" })).toHaveCount(0);

  // every destination as saved again: the stored secret is used and the Test runs
  await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapTls}`);
  await page.getByLabel("Description").fill("unchanged destinations");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-summary")).toContainText(`INBOX holds ${servers.mailboxMessages} messages`, {
    timeout: 30_000,
  });
});
