// Browser test (needs Chromium and a production build): the dashboard at /. Faces are uploaded and
// judged through the API; an admin sees the queue and the way into it (a click or R), filters the
// dataset browser, opens a face, adds it to the golden set, and finds the dashboard's golden-set
// figure changed; a reviewer sees their own verdicts only. Both dashboards are checked with axe-core
// and photographed at 1280x800.
import path from "node:path";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { expect, it } from "vitest";
import { signIn } from "@/test/support/app-server";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { type UploadedFace, client, expectStatus, judgeThree, samplePhoto } from "@/test/support/http";

type Client = ReturnType<typeof client>;
type Uploaded = UploadedFace;
interface Stats {
  queue: { remaining: number };
  golden: { size: number; versions: { status: string; n: number; correct: number }[] };
}

const REVIEWER = { email: "rosa@example.test", password: "reviewer-password" };
const VIEWPORT = { width: 1280, height: 800 };
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let admin: Client;
const faces: Uploaded[] = [];
let confirmed: Uploaded;

const ui = useBrowserApp(undefined, async (app) => {
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  // One verdict decides a face, and no controls: what the reviewer says is the consensus.
  await expectStatus(
    await admin.json("PUT", "/api/settings/review", { verdicts_per_face: 1, extra_review_share: 0, control_share: 0 }),
    200,
    "PUT /api/settings/review",
  );
  await expectStatus(await admin.json("POST", "/api/users", { ...REVIEWER, role: "REVIEWER" }), 201, "a reviewer");
  const rosa = client(app.baseUrl, { cookie: await signIn(app.baseUrl, REVIEWER.email, REVIEWER.password) });
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const res = await admin.upload(samplePhoto(n), { isFaceCrop: true });
    await expectStatus(res, 201, `uploading sample${n}.jpg`);
    faces.push(...((await res.json()) as { faces: Uploaded[] }).faces);
  }
  // Rosa confirms the first face, corrects the second and calls the third no face; three stay open.
  confirmed = (await judgeThree(rosa, faces as [Uploaded, Uploaded, Uploaded])).correct;
});

async function stats(): Promise<Stats> {
  const res = await admin.get("/api/stats");
  await expectStatus(res, 200, "GET /api/stats");
  return (await res.json()) as Stats;
}

/** A page of its own at 1280x800; CSP is bypassed only so that axe-core can be injected. */
async function newPage(browser: Browser): Promise<{ page: Page; failures: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failures.push(`${r.url()} → ${r.status()}`);
  });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") failures.push(`console: ${m.text()} (${m.location().url})`);
  });
  return { page, failures, close: () => context.close() };
}

/** Waits for the charts to be drawn (a canvas with pixels), then photographs the viewport and the page. */
async function shot(page: Page, name: string) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("canvas")].every((c) => c.width > 0 && c.getBoundingClientRect().height > 0),
  );
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `dashboard-${name}.png`) });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `dashboard-${name}-full.png`), fullPage: true });
}

/** axe-core's serious and critical findings on the page's main content. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run({ include: [["main"]] });
    return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

it.skipIf(!ui.executablePath)(
  "an admin starts from the dashboard, adds a face to the golden set on /dataset, and the golden figure follows",
  async () => {
    const { app, browser } = ui.session();
    const { page, failures, close } = await newPage(browser);
    try {
      await signInThroughForm(page, app.baseUrl, "/", app.admin);
      const before = await stats();
      expect(before.queue.remaining).toBe(3);
      const start = page.getByTestId("start-review");
      await expect.poll(() => start.textContent()).toBe("Review 3 remaining");
      expect(await start.getAttribute("href")).toBe("/review");
      // Every chart is an image with a summary, and its numbers are a table.
      await page.getByTestId("queue-chart").waitFor();
      const canvases = page.locator("main canvas[role=img]");
      expect(await canvases.count()).toBe(3);
      for (const label of await canvases.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? ""))) {
        expect(label.length).toBeGreaterThan(40);
      }
      expect(await page.getByTestId("queue-chart").locator("table tbody tr").count()).toBe(30);
      // Rosa's three verdicts, stacked by reviewer for an admin.
      const verdicts = page.getByTestId("verdicts-card");
      await verdicts.getByRole("heading", { name: "Verdicts per day" }).waitFor();
      expect(await verdicts.locator("canvas").getAttribute("aria-label")).toMatch(/by rosa@example\.test: 3 in all/);
      // Confirmed and corrected faces compared with the model; "not a face" left out.
      await page.getByTestId("confusion-card").getByText("2 verdicts", { exact: false }).first().waitFor();
      // No golden set yet: the card says how to make one.
      await page.getByTestId("golden-card").getByText("The golden set is empty.").waitFor();
      expect(await page.getByTestId("golden-figure").count()).toBe(0);
      expect(await accessibilityProblems(page)).toEqual([]);

      // The dataset browser: filter to the confirmed face, open it, select it, add it to the golden set.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dataset" }).click();
      await page.waitForURL(/\/dataset$/);
      await page.getByLabel("Verdict", { exact: true }).selectOption("correct");
      await expect.poll(() => new URL(page.url()).searchParams.get("verdict")).toBe("correct");
      const tile = page.locator(`[data-face-list] [data-face-id="${confirmed.id}"]`);
      await tile.waitFor();
      // The confirmed face is in the unfiltered list too: wait for the filtered list to replace it.
      await expect.poll(() => page.locator("[data-face-list] [data-face-id]").count()).toBe(1);
      await tile.locator("[data-tile-open]").click();
      const detail = page.getByTestId("face-detail");
      await expect.poll(() => detail.getAttribute("data-face-id"), { timeout: 15_000 }).toBe(String(confirmed.id));
      await page.keyboard.press("Escape");
      await detail.waitFor({ state: "detached" });
      await page.locator(`[data-tile-open="${confirmed.id}"]`).focus();
      await page.keyboard.press("x");
      await expect.poll(() => page.getByTestId("selected-count").textContent()).toBe("1 selected");
      await page
        .getByRole("group", { name: "Bulk actions" })
        .getByRole("button", { name: "Add to golden set" })
        .click();
      await page.getByTestId("bulk-confirm").getByRole("button", { name: "Add to the golden set" }).click();
      await page.getByTestId("toast").getByText("Changed 1 of 1 face: added to the golden set.").waitFor();

      // Home by the brand link: the golden figure is there, from one face, with the small-n warning.
      await page.getByRole("link", { name: "Emotion Loop" }).click();
      await page.waitForURL(new RegExp(`${app.baseUrl}/$`));
      const figure = page.getByTestId("golden-figure");
      await figure.waitFor();
      const after = await stats();
      const active = after.golden.versions.find((v) => v.status === "ACTIVE")!;
      expect(after.golden.size).toBe(1);
      expect(active).toMatchObject({ n: 1, correct: 1 });
      expect(await figure.getAttribute("data-n")).toBe("1");
      expect(await figure.textContent()).toMatch(/^100\.0% version \d+, 1 of 1 golden face \(95 %: 20\.7–100\.0 %\)$/);
      await page.getByTestId("golden-warning").getByText("Fewer than 100 golden faces").waitFor();
      await page.getByTestId("golden-chart").waitFor();
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, "admin");

      // One key from the dashboard to the queue.
      await page.locator("body").click({ position: { x: 5, y: 790 } });
      await page.keyboard.press("r");
      await page.waitForURL(/\/review$/);
      await page.getByTestId("review-item").waitFor();
      expect(failures).toEqual([]);
    } finally {
      await close();
    }
  },
  300_000,
);

it.skipIf(!ui.executablePath)(
  "a reviewer's dashboard shows their own verdicts and no admin actions; its link starts reviewing",
  async () => {
    const { app, browser } = ui.session();
    const { page, failures, close } = await newPage(browser);
    try {
      await signInThroughForm(page, app.baseUrl, "/", REVIEWER);
      const verdicts = page.getByTestId("verdicts-card");
      await verdicts.getByRole("heading", { name: "Your verdicts per day" }).waitFor();
      expect(await verdicts.locator("canvas").getAttribute("aria-label")).toMatch(/by rosa@example\.test: 3 in all/);
      expect(await page.getByRole("link", { name: /Adjudicate/ }).count()).toBe(0);
      // The golden figure is the team's; curating the set is not offered.
      await page.getByTestId("golden-figure").waitFor();
      expect(await page.getByTestId("golden-card").getByRole("link", { name: "Dataset" }).count()).toBe(0);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, "reviewer");
      await page.getByTestId("start-review").click();
      await page.waitForURL(/\/review$/);
      await page.getByTestId("review-item").waitFor();
      expect(failures).toEqual([]);
    } finally {
      await close();
    }
  },
  180_000,
);
