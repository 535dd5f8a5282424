/**
 * The running console's own data folder (playwright.config.ts makes it with `mkdir -p`, so 0755,
 * before migrating and starting the server): by now it has served the owner's setup, so it holds
 * the database with its -wal and -shm files and the generated secret key. All owner-only.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";

const DATA_DIR = path.dirname(path.resolve(".tmp/e2e/mcf.db"));
const mode = (name: string) => `${name} ${(fs.statSync(path.join(DATA_DIR, name)).mode & 0o777).toString(8)}`;

test("the data folder is 0700 and the database, its -wal and -shm files and the secret key are 0600", async ({ page }) => {
  // a request through the console, so the database is open (its -wal and -shm files exist while it is)
  await page.goto("/account/tokens");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(mode(".")).toBe(". 700");
  for (const name of ["mcf.db", "mcf.db-wal", "mcf.db-shm", "secret.key"]) expect(mode(name)).toBe(`${name} 600`);
});
