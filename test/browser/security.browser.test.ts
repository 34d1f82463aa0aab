// Browser tests (need Chromium and a production build) of the app under a hostile neighbour and its
// own Content-Security-Policy: a page on another port of 127.0.0.1 that makes the signed-in admin's
// browser post to the API creates nothing; and the main pages, the upload page's blob: preview and
// face crops included, run without a single CSP violation.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import type { Page } from "playwright-core";
import { signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { SAMPLE_PHOTO } from "@/test/support/http";

const ui = useBrowserApp();

/** Pages served by the "attacker": another origin, but the same site as the app (same host). */
let attacker: http.Server;
let attackerUrl = "";
const attackPages = new Map<string, string>();

beforeAll(async () => {
  attacker = http.createServer((req, res) => {
    const html = attackPages.get(req.url ?? "");
    res.writeHead(html ? 200 : 404, { "content-type": "text/html" });
    res.end(html ?? "not found");
  });
  await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => attacker?.close(r));
});

async function usersNamed(databaseUrl: string, email: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM "User" WHERE email = $1`, [email])).rows[0].n as number;
  } finally {
    await c.end();
  }
}

/**
 * What was tried: the attack measured on the old build. The signed-in admin opens a page on
 * another port of 127.0.0.1 (the same site, so the SameSite=Lax session cookie goes along) whose
 * form auto-posts `text/plain` JSON to POST /api/users — a simple request, no CORS preflight.
 */
it.skipIf(!ui.executablePath)(
  "a form on another port auto-posting text/plain JSON creates no admin",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext();
    try {
      const admin = await context.newPage();
      await signInThroughForm(admin, app.baseUrl, "/admin/users", app.admin);
      const email = "forged-admin@example.test";
      // text/plain forms send `name=value`: the name carries the JSON, the value closes it.
      const field = `{"email":"${email}","password":"forged-password-1","role":"ADMIN","pad":"`;
      attackPages.set(
        "/prize",
        `<!doctype html><title>win a prize</title>
      <form id="f" method="POST" action="${app.baseUrl}/api/users" enctype="text/plain">
        <input type="hidden" name='${field}' value='"}'></form>
      <script>document.getElementById("f").submit()</script>`,
      );

      const posted = admin.waitForResponse(
        (r) => r.url() === `${app.baseUrl}/api/users` && r.request().method() === "POST",
      );
      await admin.goto(`${attackerUrl}/prize`);
      const res = await posted;
      // The browser did send it, with the cookie and the JSON; the server refused it.
      const sent = await res.request().allHeaders();
      expect(sent.cookie).toMatch(/session-token=/);
      expect(sent.origin).toBe(attackerUrl);
      expect(res.request().postData()).toContain(email);
      expect(res.status()).toBe(403);
      expect(await usersNamed(app.databaseUrl, email)).toBe(0);
    } finally {
      await context.close();
    }
  },
  120_000,
);

/** Collects CSP violations as the page reports them (the event) and as Chromium logs them. */
function watchViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text()))
      seen.push(`${page.url()}: ${m.text()}`);
  });
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`,
      );
    });
  });
  return seen;
}

it.skipIf(!ui.executablePath)(
  "the main pages, and an upload with its preview and crops, run with no CSP violation",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const violations = watchViolations(page);
      await page.goto(`${app.baseUrl}/login`);
      await page.getByLabel("E-mail").waitFor();
      await signInThroughForm(page, app.baseUrl, "/upload", app.admin);

      // The upload page shows the chosen file through a blob: URL, then the stored photo and the
      // face crops from /api/uploads/… and /api/faces/…/crop.png.
      await page.locator('input[type="file"]').setInputFiles(SAMPLE_PHOTO);
      await page.getByRole("heading", { name: /faces found/ }).waitFor({ timeout: 120_000 });
      await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
      const crops = await page.locator('img[src*="/crop.png"]').count();
      expect(crops).toBeGreaterThan(0);

      for (const path of ["/review", "/history", "/models", "/golden", "/training", "/settings", "/admin/users"]) {
        await page.goto(app.baseUrl + path);
        await page.locator("main").waitFor();
        // Client code has run (the lists load through fetch once hydrated).
        await page.waitForLoadState("networkidle");
      }
      // Client-side navigation loads further chunks through the nonce'd runtime ('strict-dynamic').
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History", exact: true }).click();
      await page.waitForURL(/\/history$/);
      await page.waitForLoadState("networkidle");

      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  },
  300_000,
);
