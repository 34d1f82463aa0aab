import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "@/test/support/chromium-launch";
import { startTestApp, type TestApp } from "@/test/support/app-server";

// Launching needs no vitest (benches launch Chromium too); re-exported for the browser tests.
export { CHROMIUM_ARGS, findChromium } from "@/test/support/chromium-launch";

/** Where browser tests leave screenshots for people to look at (git-ignored). */
export const SCREENSHOT_DIR = path.resolve("test-results/browser");

/**
 * Chromium with one 1280x900 page, the size the screenshots are taken at. `args` are added to
 * CHROMIUM_ARGS (e.g. a fake camera, test/support/fake-camera).
 */
export async function openPage(
  executablePath: string,
  opts: { args?: string[] } = {},
): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...(opts.args ?? [])] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return { browser, page };
}

/**
 * A signed-out visit to `path` lands on the login form; this fills it, submits, and waits to be
 * sent back to `path`. `beforeSubmit` runs with the form filled (e.g. a screenshot).
 */
export async function signInThroughForm(
  page: Page,
  baseUrl: string,
  path: string,
  login: { email: string; password: string },
  beforeSubmit?: () => Promise<void>,
): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.waitForURL(/\/login\?callbackUrl=/);
  await page.getByLabel("E-mail").fill(login.email);
  await page.getByLabel("Password").fill(login.password);
  await beforeSubmit?.();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`));
}

export interface BrowserSession {
  app: TestApp;
  browser: Browser;
  /** One 1280x900 page; open more with browser.newPage() / newContext(). */
  page: Page;
}

/**
 * A browser test file's setup in one call: before its tests, the app (startTestApp's options, then
 * `prepare`, e.g. seeding through the API) and Chromium with one page; after them, both closed.
 * Without Chromium (or with `browser.skip`, e.g. no ffmpeg for a fake camera) nothing starts:
 * `it.skipIf(!ui.executablePath)`. `browser.args` adds Chromium flags, computed when it starts.
 * `session()` is for test bodies.
 */
export function useBrowserApp(
  options?: Parameters<typeof startTestApp>[0],
  prepare?: (app: TestApp) => Promise<void>,
  browser: { args?: () => string[]; skip?: boolean } = {},
): { executablePath: string | null; session(): BrowserSession } {
  const executablePath = browser.skip ? null : findChromium();
  let app: TestApp | undefined;
  let opened: { browser: Browser; page: Page } | undefined;
  beforeAll(async () => {
    if (!executablePath) return;
    // startTestApp may have to build the app first: minutes, not seconds.
    app = await startTestApp(options);
    await prepare?.(app);
    opened = await openPage(executablePath, { args: browser.args?.() });
  }, 900_000);
  afterAll(async () => {
    await opened?.browser.close();
    await app?.stop();
  });
  return {
    executablePath,
    session() {
      if (!app || !opened) throw new Error("the test app or Chromium did not start");
      return { app, ...opened };
    },
  };
}
