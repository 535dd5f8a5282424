/**
 * Signing in against the production server (scripts/server.mjs): where the form sends you, the
 * session cookie's flags, and the failed sign-in throttle with a spoofed X-Forwarded-For, an unlock
 * by the owner, and the audit log showing the real address.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { OWNER } from "./accounts";
import { inviteAndJoin } from "./helpers";

const SPOOFED = "203.0.113.77";

/** The form's own message (Next's route announcer is an alert too). */
const formAlert = (page: Page) => page.locator("form").getByRole("alert");

async function signedOutPage(browser: Browser, headers?: Record<string, string>): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, extraHTTPHeaders: headers });
  return context.newPage();
}

/**
 * Fills and submits the form and waits until the server action's answer is on the page: the same
 * message can repeat, and React resets the form when an action completes, so the next fill must not
 * come before that.
 */
async function submitSignIn(page: Page, email: string, password: string, { staysOnPage = true } = {}) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await answered;
  // "Please wait…" while the action runs
  if (staysOnPage) await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
}

test("a hostile next= still lands on the console, a console path is kept, and the session cookie is httpOnly and Lax", async ({
  browser,
}) => {
  const page = await signedOutPage(browser);
  await page.goto("/login?next=%2F%5Cevil.test");
  await submitSignIn(page, OWNER.email, OWNER.password, { staysOnPage: false });
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/profiles$/);
  await expect(page.getByTestId("current-user")).toContainText(OWNER.name);

  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "mcf.session_token");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
  await page.context().close();

  const again = await signedOutPage(browser);
  await again.goto("/login?next=%2Faudit");
  await submitSignIn(again, OWNER.email, OWNER.password, { staysOnPage: false });
  await expect(again).toHaveURL(/\/audit$/);
  await again.context().close();
});

test("failed sign-ins slow this address for this account whatever X-Forwarded-For says; the owner unlocks it; the log shows the real address", async ({
  page: owner,
  browser,
}) => {
  const person = {
    name: "Tara Throttled",
    email: `tara.${Date.now()}@contoso.test`,
    role: "viewer" as const,
    password: "tara-password-e2e-123",
  };
  const joined = await inviteAndJoin(owner, browser, person);
  await joined.context().close();

  const attacker = await signedOutPage(browser, { "X-Forwarded-For": SPOOFED });
  await attacker.goto("/login");
  for (let i = 0; i < 3; i++) {
    await submitSignIn(attacker, person.email, "not-the-password");
    await expect(formAlert(attacker)).toHaveText("Wrong email or password.");
  }
  await submitSignIn(attacker, person.email, person.password);
  await expect(formAlert(attacker)).toHaveText("Too many attempts from this address for this account: try again in 5 seconds.");

  await owner.goto("/users");
  const row = owner.locator(`tr[data-user="${person.email}"]`);
  await expect(row).toContainText("Sign-in slowed on 1 address");
  await row.getByRole("button", { name: `Unlock the sign-in of ${person.name}` }).click();
  await owner.getByRole("alertdialog").getByRole("button", { name: "Unlock sign-in" }).click();
  await expect(row).not.toContainText("Sign-in slowed");

  await submitSignIn(attacker, person.email, person.password, { staysOnPage: false });
  await expect(attacker).toHaveURL(/\/profiles$/);
  await attacker.context().close();

  await owner.goto("/audit?action=auth.sign_in_failed");
  const failures = owner.getByRole("row").filter({ hasText: person.email });
  await expect(failures).toHaveCount(3);
  await expect(failures.first()).toContainText("127.0.0.1");
  await expect(owner.getByRole("table")).not.toContainText(SPOOFED);
  await owner.goto("/audit?action=user.sign_in_unlocked");
  await expect(owner.getByRole("row").filter({ hasText: person.email })).toContainText(OWNER.name);
});
