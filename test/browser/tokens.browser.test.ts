// Browser test (needs Chromium and a production build): an API token made on Settings works as a
// Bearer token, is shown once, and stops working when revoked from the same list.
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startTestApp, type TestApp } from "@/test/support/app-server";
import { findChromium, openPage, SCREENSHOT_DIR, signInThroughForm } from "@/test/support/chromium";

let app: TestApp | undefined;
let browser: Browser | undefined;
let page: Page;

const executablePath = findChromium();

beforeAll(async () => {
  if (!executablePath) return;
  app = await startTestApp();
  ({ browser, page } = await openPage(executablePath));
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it.skipIf(!executablePath)("creates a token on Settings, uses it against the API, revokes it from the list", async () => {
  if (!app) throw new Error("the test app did not start");
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

  const asToken = () => fetch(`${app!.baseUrl}/api/models`, { headers: { authorization: `Bearer ${secret}` } });
  expect((await asToken()).status).toBe(200);

  await row.getByRole("button", { name: "Revoke token labelling script" }).click();
  await row.getByRole("button", { name: "Revoke", exact: true }).click();
  await row.getByText("Revoked").waitFor();
  // The secret box goes with the token it showed.
  expect(await page.getByTestId("token-secret").count()).toBe(0);
  expect((await asToken()).status).toBe(401);
}, 180_000);
