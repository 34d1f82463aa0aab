// Browser test (needs Chromium and a production build) of the API reference at /docs: swagger-ui,
// served from the app's own node_modules, lists every documented operation under the page's
// Content-Security-Policy without a single violation, nothing is fetched from another origin, and
// "Try it out" calls the API with the signed-in session, writes included (the browser's Origin
// header passes the same-origin check).
import path from "node:path";
import { expect, it } from "vitest";
import type { Page } from "playwright-core";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";

const ui = useBrowserApp();

/** CSP violations as the page reports them (the event) and as Chromium logs them. */
function watchViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame|evaluate)/i.test(m.text()))
      seen.push(`${page.url()}: ${m.text()}`);
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  return seen;
}

/** Requests the page makes anywhere but the app's origin (data: and blob: URLs stay in the page). */
function watchForeignRequests(page: Page, baseUrl: string): string[] {
  const foreign: string[] = [];
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(`${baseUrl}/`) && !/^(data|blob):/.test(url)) foreign.push(url);
  });
  return foreign;
}

async function documentedOperations(baseUrl: string): Promise<number> {
  const doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, object> };
  return Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
}

/** Opens an operation (by its deep-link id), presses "Try it out", optionally sets the body, executes it. */
async function tryItOut(page: Page, tag: string, operationId: string, body?: unknown): Promise<string> {
  const op = page.locator(`#operations-${tag}-${operationId}`);
  await op.locator(".opblock-summary").first().click();
  await op.getByRole("button", { name: "Try it out" }).click();
  if (body !== undefined) await op.locator("textarea.body-param__text").fill(JSON.stringify(body));
  await op.getByRole("button", { name: "Execute" }).click();
  const status = op.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 30_000 });
  return (await status.innerText()).trim();
}

it.skipIf(!ui.executablePath)(
  "/docs lists every operation with no CSP violation and no request to another origin",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const violations = watchViolations(page);
      const foreign = watchForeignRequests(page, app.baseUrl);
      const res = await page.goto(`${app.baseUrl}/docs`);
      expect(res?.status()).toBe(200);
      // The page keeps the app's nonce-based policy: no 'unsafe-inline' scripts, no eval.
      const csp = res?.headers()["content-security-policy"] ?? "";
      expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic' 'wasm-unsafe-eval'(;|$)/);

      await page.locator(".swagger-ui .opblock").first().waitFor({ timeout: 60_000 });
      await page.locator(".swagger-ui .info .title").waitFor();
      expect(await page.locator(".swagger-ui .info .title").innerText()).toContain("Emotion Loop API");
      expect(await page.locator(".swagger-ui .opblock").count()).toBe(await documentedOperations(app.baseUrl));
      await expect(page.locator("#operations-Review-recordVerdict").count()).resolves.toBe(1);
      await page.waitForLoadState("networkidle");

      await page.screenshot({ path: path.join(SCREENSHOT_DIR, "docs.png") });
      // A public call from the page itself: the reference talks to the app it is served by.
      expect(await tryItOut(page, "Health", "getHealth")).toBe("200");
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, "docs-try-health.png") });

      expect(violations).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  },
  300_000,
);

it.skipIf(!ui.executablePath)(
  "signed in, Try it out uses the session: reads, and writes that pass the origin check",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const violations = watchViolations(page);
      const foreign = watchForeignRequests(page, app.baseUrl);
      await signInThroughForm(page, app.baseUrl, "/review", app.admin);
      // The nav's link, a client-side navigation: the bundle loads on this route as on a first load.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API docs" }).click();
      await page.waitForURL(/\/docs$/);
      await page.locator(".swagger-ui .opblock").first().waitFor({ timeout: 60_000 });
      await expect(page.getByText(`Signed in as ${app.admin.email}`).count()).resolves.toBe(1);

      expect(await tryItOut(page, "Consensus", "getReviewSettings")).toBe("200");
      // A cookie-authenticated write: the browser's Origin is the app's, so the answer is the
      // handler's (no claim on that prediction), not 403 cross_site_request.
      const release = page.waitForResponse((r) => r.url().endsWith("/api/review/release"));
      expect(await tryItOut(page, "Review", "releaseFace", { prediction_id: 999999 })).toBe("404");
      const sent = await (await release).request().allHeaders();
      expect(sent.origin).toBe(app.baseUrl);
      expect(sent.cookie ?? "").toMatch(/session-token=/);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, "docs-signed-in.png") });

      expect(violations).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  },
  300_000,
);
