import { expect, test } from "@playwright/test";
import { createOAuthProfile, recordResponses, rowValue, unique } from "./helpers";

/**
 * A stored secret must never reach the browser: not in HTML, not in RSC payloads, not in server
 * action responses. Every response body the browser receives after saving is searched.
 */
test("a stored secret appears in no response the browser receives", async ({ page }) => {
  const secret = `leak-canary-${Date.now()}-Zq9`;
  const received = recordResponses(page);
  const name = unique("Leak check");
  const id = await createOAuthProfile(page, { name, secret });

  await page.goto("/profiles");
  await page.goto(`/profiles?q=${encodeURIComponent(name)}`);
  await page.goto(`/profiles/${id}`);
  await page.getByLabel("Description").fill("touch");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await page.getByRole("button", { name: `Duplicate ${name}` }).click();
  await page.getByLabel("Copy stored secrets too").check();
  await page.getByRole("dialog").getByRole("button", { name: "Duplicate" }).click();
  await expect(page.getByText("Copy created.")).toBeVisible();
  await expect(await rowValue(page, "requestProperties", "client_secret")).toHaveAttribute(
    "placeholder",
    "stored — leave blank to keep",
  );
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Copy of ${name}`);
  const bodies = await received.bodies();

  // the check must have looked at something: pages, RSC payloads and action responses
  expect(bodies.length).toBeGreaterThan(10);
  expect(bodies.some((b) => b.body.includes(name))).toBe(true);
  const leaks = bodies.filter((b) => b.body.includes(secret)).map((b) => b.url);
  expect(leaks).toEqual([]);
});
