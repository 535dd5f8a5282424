import { expect, test, type Page } from "@playwright/test";
import { inviteAndJoin, recordResponses, rowValue, savedProfileId, share, unique } from "./helpers";
import { e2eServers } from "./servers";

const servers = e2eServers();
const SECRET = servers.clientSecret;

async function createTestableProfile(page: Page, name: string) {
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapTls}`);
  await page.getByText("Trusted CA certificates (private servers)").click();
  await page.getByLabel("Extra trusted CA certificates (PEM)").fill(servers.caPem);
  await page.getByLabel("Username (mailbox)").fill(servers.mailbox);
  await page.getByLabel("Token URL").fill(servers.tokenUrl);
  await page.getByLabel("Tenant ID").fill(servers.tenantId);
  await (await rowValue(page, "requestProperties", "client_id")).fill(servers.clientId);
  await (await rowValue(page, "requestProperties", "client_secret")).fill(SECRET);
  await page.getByRole("button", { name: "Create profile" }).click();
  return savedProfileId(page);
}

test("owner shares a profile as Use, then Edit, then revokes it; the audit page shows all of it", async ({
  page: owner,
  browser,
}) => {
  const name = unique("Shared inbox");
  const profileId = await createTestableProfile(owner, name);
  const email = `uma.${Date.now()}@contoso.test`;
  const uma = await inviteAndJoin(owner, browser, { name: "Uma User", email, role: "viewer", password: "uma-password-e2e-123" });

  // not shared yet: Uma does not see it, and its URL says not found
  await expect(uma.getByText("No profile is shared with you yet.")).toBeVisible();
  await expect(uma.getByRole("link", { name })).toHaveCount(0);
  await uma.goto(`/profiles/${profileId}`);
  await expect(uma.getByRole("heading", { name: "Profile not found" })).toBeVisible();

  // Use: she sees the configuration, runs Test, cannot change anything, never sees the secret
  await share(owner, profileId, "Uma User", { add: "Use" });
  const received = recordResponses(uma);
  await uma.goto("/profiles");
  await expect(uma.getByRole("row", { name: new RegExp(name) })).toContainText("Use");
  await uma.getByRole("link", { name }).click();
  await expect(uma.getByText("You have Use access")).toBeVisible();
  await expect(uma.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await expect(uma.getByLabel("Mail server URL")).toBeDisabled();
  await expect(uma.getByRole("button", { name: "Share…" })).toHaveCount(0);
  await expect(uma.getByRole("button", { name: /^Delete/ })).toHaveCount(0);
  await uma.getByRole("button", { name: "Test connection" }).click();
  await expect(uma.getByTestId("test-summary")).toContainText(`INBOX holds ${servers.mailboxMessages} messages`, {
    timeout: 30_000,
  });
  expect((await received.bodies()).some((b) => b.body.includes(SECRET))).toBe(false);

  // Edit: her change is saved
  await share(owner, profileId, "Uma User", { change: "Edit" });
  await uma.goto(`/profiles/${profileId}`);
  await uma.getByLabel("Description").fill("Uma was here");
  await uma.getByRole("button", { name: "Save changes" }).click();
  await expect(uma.getByText("Profile saved.")).toBeVisible();
  await owner.goto(`/profiles/${profileId}`);
  await expect(owner.getByLabel("Description")).toHaveValue("Uma was here");

  // revoked: the profile disappears from her list
  await share(owner, profileId, "Uma User", "remove");
  await uma.goto("/profiles");
  await expect(uma.getByText("No profile is shared with you yet.")).toBeVisible();
  await expect(uma.getByRole("link", { name })).toHaveCount(0);
  expect((await received.bodies()).some((b) => b.body.includes(SECRET))).toBe(false);

  // the audit page tells the story
  await owner.goto(`/audit?profile=${profileId}`);
  const log = owner.getByRole("table");
  await expect(log).toContainText("Uma User");
  await expect(log).toContainText(/Access\s*use/);
  await expect(log).toContainText(/Access\s*edit/);
  await expect(log).toContainText("Description: empty → Uma was here");
  for (const action of ["profile.shared", "profile.tested", "profile.updated", "profile.unshared", "profile.created"])
    await expect(log).toContainText(action);
  await uma.context().close();
});
