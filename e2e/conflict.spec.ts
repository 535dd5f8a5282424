import { expect, test } from "@playwright/test";
import { createOAuthProfile, unique } from "./helpers";

test("saving over a newer version is refused with an offer to reload, and nothing is overwritten", async ({ browser }) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  const pageA = await alice.newPage();
  const pageB = await bob.newPage();
  const name = unique("Conflict");
  const id = await createOAuthProfile(pageA, { name, secret: "secret-value" });

  await pageA.goto(`/profiles/${id}`);
  await pageB.goto(`/profiles/${id}`);
  await pageA.getByLabel("Description").fill("Alice was here");
  await pageA.getByRole("button", { name: "Save changes" }).click();
  await expect(pageA.getByText("Profile saved.")).toBeVisible();

  await pageB.getByLabel("Description").fill("Bob was here");
  await pageB.getByRole("button", { name: "Save changes" }).click();
  await expect(pageB.getByText("Someone saved this profile after you opened it")).toBeVisible();
  await expect(pageB.getByLabel("Description")).toHaveValue("Bob was here");

  await pageB.getByRole("button", { name: "Reload the latest version" }).click();
  await expect(pageB.getByLabel("Description")).toHaveValue("Alice was here");
  await alice.close();
  await bob.close();
});
