// Browser tests (need Chromium and a production build) of the account pages: an API token made on
// Settings works as a Bearer token, is shown once, and stops working when revoked from the same list;
// a user an admin adds on Users can sign in, and cannot once disabled there.
import path from "node:path";
import { expect, it } from "vitest";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";

const ui = useBrowserApp();

it.skipIf(!ui.executablePath)(
  "creates a token on Settings, uses it against the API, revokes it from the list",
  async () => {
    const { app, page } = ui.session();
    await signInThroughForm(page, app.baseUrl, "/settings", app.admin);
    await page.getByText("You have no API tokens.").waitFor();

    // An empty name is refused in the form, before any request.
    await page.getByRole("button", { name: "Create token" }).click();
    await page.locator('input[aria-invalid="true"]').waitFor();
    expect(await page.getByLabel("New token name").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("New token name").fill("labelling script");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = await page.getByTestId("token-secret").inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const row = page.getByTestId("token-table").getByRole("row", { name: /labelling script/ });
    await row.getByText("Active").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "tokens-created.png"), fullPage: true });

    const asToken = () => fetch(`${app.baseUrl}/api/models`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await asToken()).status).toBe(200);

    await row.getByRole("button", { name: "Revoke token labelling script" }).click();
    await row.getByRole("button", { name: "Revoke", exact: true }).click();
    await row.getByText("Revoked").waitFor();
    // The secret box goes with the token it showed.
    expect(await page.getByTestId("token-secret").count()).toBe(0);
    expect((await asToken()).status).toBe(401);
  },
  180_000,
);

it.skipIf(!ui.executablePath)(
  "adds a user on Users, who can sign in until disabled from the list",
  async () => {
    const { app, browser } = ui.session();
    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInThroughForm(admin, app.baseUrl, "/admin/users", app.admin);
    const table = admin.getByTestId("users-table");
    await table.getByRole("row", { name: new RegExp(app.admin.email) }).waitFor();

    // A short password is refused in the form, before any request.
    const email = "new.reviewer@example.com";
    const password = "first-day-2026";
    await admin.getByLabel("E-mail").fill(email);
    await admin.getByLabel("Initial password").fill("short");
    await admin.getByRole("button", { name: "Add user" }).click();
    await admin.getByText("At least 8 characters").waitFor();
    expect(await table.getByRole("row", { name: new RegExp(email) }).count()).toBe(0);

    await admin.getByLabel("Initial password").fill(password);
    await admin.getByRole("button", { name: "Add user" }).click();
    await admin.getByText(`Created ${email}.`).waitFor();
    const row = table.getByRole("row", { name: new RegExp(email) });
    await row.getByText("Active").waitFor();
    // The same e-mail again is refused by the server, and the list keeps one row for it.
    await admin.getByLabel("E-mail").fill(email);
    await admin.getByLabel("Initial password").fill(password);
    await admin.getByRole("button", { name: "Add user" }).click();
    await admin
      .getByRole("alert")
      .filter({ hasText: /already/i })
      .waitFor();
    expect(await table.getByRole("row", { name: new RegExp(email) }).count()).toBe(1);

    const asNewUser = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const reviewer = await asNewUser.newPage();
    await signInThroughForm(reviewer, app.baseUrl, "/review", { email, password });
    await asNewUser.close();

    await row.getByRole("button", { name: `Disable ${email}` }).click();
    await row.getByText("Disabled").waitFor();
    await admin.getByText(`${email} is disabled.`).waitFor();
    await admin.screenshot({ path: path.join(SCREENSHOT_DIR, "users-disabled.png"), fullPage: true });

    const again = await (await browser.newContext()).newPage();
    await again.goto(`${app.baseUrl}/login`);
    await again.getByLabel("E-mail").fill(email);
    await again.getByLabel("Password").fill(password);
    await again.getByRole("button", { name: "Sign in" }).click();
    await again.getByText("Wrong e-mail or password").waitFor();
    expect(new URL(again.url()).pathname).toBe("/login");

    // The list as stored, after a reload: the new user is there, disabled.
    await admin.reload();
    await table
      .getByRole("row", { name: new RegExp(email) })
      .getByText("Disabled")
      .waitFor();
  },
  180_000,
);
