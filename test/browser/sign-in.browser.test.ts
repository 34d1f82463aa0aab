// Browser tests (need Chromium and a production build) of signing in and out: a throttled sign-in
// says how long to wait, and signing out keeps the user on the origin they are on even when
// NEXTAUTH_URL names another (a proxy's public name, say, for a user who reached the app directly).
import path from "node:path";
import { expect, it } from "vitest";
import pg from "pg";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";

// Port 9 (discard) on loopback: an origin this app is not on.
const ui = useBrowserApp({ withModel: false, env: { NEXTAUTH_URL: "http://localhost:9" } });

it.skipIf(!ui.executablePath)(
  "signs out to the login page of the origin the user is on",
  async () => {
    const { app, page } = ui.session();
    await signInThroughForm(page, app.baseUrl, "/settings", app.admin);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    expect(new URL(page.url()).origin).toBe(app.baseUrl);
    // And it really is signed out: a signed-in page sends back to the login form.
    await page.goto(`${app.baseUrl}/settings`);
    await page.waitForURL(/\/login\?callbackUrl=/);
  },
  180_000,
);

it.skipIf(!ui.executablePath)(
  "tells a locked-out user how long to wait, even with the right password",
  async () => {
    const { app, page } = ui.session();
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      // Ten failures just now: locked for 15 minutes.
      await db.query(
        `INSERT INTO "SignInThrottle" ("key", "failures", "windowStartedAt", "nextAttemptAt", "lockedUntil")
       VALUES ($1, 10, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + interval '15 minutes')`,
        [`account:${app.admin.email}`],
      );
    } finally {
      await db.end();
    }
    await page.goto(`${app.baseUrl}/login`);
    await page.getByLabel("E-mail").fill(app.admin.email);
    await page.getByLabel("Password").fill(app.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Too many attempts; try again in 15 minutes.").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "sign-in-locked.png"), fullPage: true });
    expect(new URL(page.url()).pathname).toBe("/login");
  },
  180_000,
);
