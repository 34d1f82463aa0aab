// Browser test (needs Chromium and a production build): the dataset browser at /dataset. Faces are
// uploaded and judged through the API; an admin filters them (the address follows, and the back
// button brings the view back), opens one in the drawer, and adds it to the golden set with a bulk
// action; a reviewer is offered no admin filters and sees the 403 of one in a shared address.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signIn } from "@/test/support/app-server";
import { expectNoSeriousAxeFindings } from "@/test/support/axe";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { type UploadedFace, client, expectStatus, judgeThree, samplePhoto } from "@/test/support/http";

type Client = ReturnType<typeof client>;
interface Listed {
  id: number;
  prediction: { label: string; confidence: number };
}
type Uploaded = UploadedFace;

const REVIEWER = { email: "rita@example.test", password: "reviewer-password" };
/** Synthetic crops besides the six sample photos: enough faces for a few rows. */
const GRADIENTS = 10;

let admin: Client;
const faces: Uploaded[] = [];
/** The faces the reviewer judged: correct, incorrect (another label), not a face. */
let judged: { correct: Uploaded; incorrect: Uploaded; noFace: Uploaded };

function gradient(i: number): Promise<Buffer> {
  const pixels = Buffer.from(
    Array.from({ length: 48 * 48 }, (_, p) => ((p % 48) * (i + 3) + Math.floor(p / 48) * (5 - (i % 4))) % 256),
  );
  return sharp(pixels, { raw: { width: 48, height: 48, channels: 1 } })
    .png()
    .toBuffer();
}

const ui = useBrowserApp(undefined, async (app) => {
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  // One verdict decides a face, and no controls: what the reviewer says is the consensus.
  await expectStatus(
    await admin.json("PUT", "/api/settings/review", { verdicts_per_face: 1, extra_review_share: 0, control_share: 0 }),
    200,
    "PUT /api/settings/review",
  );
  await expectStatus(
    await admin.json("POST", "/api/users", { ...REVIEWER, role: "REVIEWER" }),
    201,
    "creating the reviewer",
  );
  const rita = client(app.baseUrl, { cookie: await signIn(app.baseUrl, REVIEWER.email, REVIEWER.password) });

  const upload = async (bytes: Buffer, opts: Parameters<Client["upload"]>[1], what: string) => {
    const res = await admin.upload(bytes, opts);
    await expectStatus(res, 201, `uploading ${what}`);
    faces.push(...((await res.json()) as { faces: Uploaded[] }).faces);
  };
  // One photo as a photo (the detector finds its faces, the drawer draws the box), the rest as crops.
  await upload(samplePhoto(2), {}, "sample2.jpg");
  for (const n of [1, 3, 4, 5, 6]) await upload(samplePhoto(n), { isFaceCrop: true }, `sample${n}.jpg`);
  for (let i = 0; i < GRADIENTS; i++) {
    await upload(await gradient(i), { isFaceCrop: true, filename: `face-${i}.png`, type: "image/png" }, `face ${i}`);
  }

  judged = await judgeThree(rita, faces as [Uploaded, Uploaded, Uploaded]);
});

let db: pg.Client;
/** API answers of 400 and above while a test drives the page, but for those a test expects. */
const failures: string[] = [];
const expected: RegExp[] = [];

function watch(page: Page) {
  page.on("response", (r) => {
    const what = `${r.request().method()} ${r.url()} → ${r.status()}`;
    if (r.url().includes("/api/") && r.status() >= 400 && !expected.some((e) => e.test(what))) failures.push(what);
  });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
}

beforeAll(async () => {
  if (!ui.executablePath) return;
  const { app, page } = ui.session();
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  watch(page);
});
afterAll(async () => {
  await db?.end();
});

async function shot(page: Page, name: string, fullPage = true) {
  // Lazy crops below the fold load when scrolled to, not for the shot.
  await page.waitForFunction(() =>
    [...document.images].every((i) => i.complete || i.getBoundingClientRect().top > window.innerHeight),
  );
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `dataset-${name}.png`), fullPage });
}

async function listed(query = ""): Promise<Listed[]> {
  const res = await admin.get(`/api/faces?limit=200${query ? `&${query}` : ""}`);
  await expectStatus(res, 200, "GET /api/faces");
  return ((await res.json()) as { items: Listed[] }).items;
}

/** The face ids of the grid (or table), in order, once it shows `ids`. */
async function expectShown(page: Page, ids: number[]) {
  await expect
    .poll(
      () =>
        page
          .locator("[data-face-list] [data-face-id]")
          .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.faceId))),
      { timeout: 15_000 },
    )
    .toEqual(ids);
}

function search(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

it.skipIf(!ui.executablePath)(
  "an admin filters by predicted label and verdict: the address and the grid follow, the back button keeps them",
  async () => {
    const { app, page } = ui.session();
    await signInThroughForm(page, app.baseUrl, "/dataset", app.admin);
    const all = await listed();
    expect(all).toHaveLength(faces.length);
    await expectShown(
      page,
      all.map((f) => f.id),
    );
    await expect.poll(() => page.getByTestId("face-count").textContent()).toBe(`${faces.length} faces`);
    // The header still fits one row at 1280 px with the Dataset link.
    const header = await page.locator("header.site-header").boundingBox();
    expect(header!.height).toBeLessThan(70);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dataset" }).waitFor();
    await shot(page, "grid");
    await expectNoSeriousAxeFindings(page, "dataset, grid");

    // By predicted label: the least common one, so the grid visibly narrows.
    const counts = new Map<string, number>();
    for (const f of all) counts.set(f.prediction.label, (counts.get(f.prediction.label) ?? 0) + 1);
    const [label] = [...counts].sort((x, y) => x[1] - y[1])[0]!;
    await page.getByLabel("Predicted", { exact: true }).selectOption(label);
    await expect.poll(() => search(page).get("predicted")).toBe(label);
    const byLabel = all.filter((f) => f.prediction.label === label).map((f) => f.id);
    await expectShown(page, byLabel);
    for (const text of await page.getByTestId("tile-predicted").allTextContents()) {
      expect(text.toLowerCase()).toBe(label);
    }
    await expect
      .poll(() => page.getByTestId("face-count").textContent())
      .toBe(`${byLabel.length} ${byLabel.length === 1 ? "face" : "faces"}`);

    // Clear filters, then by verdict: the one face the reviewer corrected.
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect.poll(() => search(page).toString()).toBe("");
    await expectShown(
      page,
      all.map((f) => f.id),
    );
    await page.getByLabel("Verdict", { exact: true }).selectOption("incorrect");
    await expect.poll(() => search(page).get("verdict")).toBe("incorrect");
    await expectShown(page, [judged.incorrect.id]);

    // Away and back: the view comes back from the address.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" }).click();
    await page.waitForURL(/\/history$/);
    await page.goBack();
    await page.waitForURL(/\/dataset\?verdict=incorrect$/);
    await expectShown(page, [judged.incorrect.id]);
    expect(await page.getByLabel("Verdict", { exact: true }).inputValue()).toBe("incorrect");

    // Export: the filtered faces as CSV (the previous tool's columns first) and as an image folder zip.
    await page.getByTestId("export-menu").getByText("Export", { exact: true }).click();
    await shot(page, "export", false);
    await expectNoSeriousAxeFindings(page, "dataset, export menu open");
    const download = async (format: string) => {
      const link = page.getByTestId("export-menu").locator(`a[data-format="${format}"]`);
      expect(new URL((await link.getAttribute("href"))!, app.baseUrl).searchParams.get("verdict")).toBe("incorrect");
      const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
      return { name: file.suggestedFilename(), bytes: fs.readFileSync((await file.path())!) };
    };
    const csv = await download("csv");
    expect(csv.name).toBe("dataset.csv");
    const [head, ...rows] = csv.bytes.toString("utf8").trim().split(/\r?\n/);
    expect(head!.split(",").slice(0, 5)).toEqual([
      "timestamp",
      "predicted_emotion",
      "confidence",
      "corrected_emotion",
      "image_path",
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.split(",")[3]).toBe(judged.incorrect.label === "happy" ? "sad" : "happy");
    const zip = await download("imagefolder");
    expect(zip.name).toBe("dataset.zip");
    expect(zip.bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    await page.getByTestId("export-menu").getByText("Export", { exact: true }).click();

    // A figure typed into More filters reaches the address when typing pauses.
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect.poll(() => search(page).toString()).toBe("");
    await page.getByRole("button", { name: "More filters" }).click();
    const confidences = all.map((f) => f.prediction.confidence).sort((x, y) => x - y);
    const threshold = confidences[Math.floor(confidences.length / 2)]!.toFixed(4);
    await page.getByLabel("Confidence at least").fill(threshold);
    await expect.poll(() => search(page).get("confidence_min")).toBe(threshold);
    await expectShown(
      page,
      (await listed(`confidence_min=${threshold}`)).map((f) => f.id),
    );
    await shot(page, "filters-more", false);
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect.poll(() => search(page).toString()).toBe("");
    expect(await page.getByLabel("Confidence at least").inputValue()).toBe("");

    // `g` switches to the table, kept in the address; / goes to the filters.
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("g");
    await expect.poll(() => search(page).get("view")).toBe("table");
    await page.getByTestId("face-table").waitFor();
    await expectShown(
      page,
      all.map((f) => f.id),
    );
    await page.keyboard.press("/");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.filter)).toBe("predicted");
    await shot(page, "table");
    await expectNoSeriousAxeFindings(page, "dataset, table");
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("g");
    await expect.poll(() => search(page).get("view")).toBeNull();
    await page.getByTestId("face-grid").waitFor();

    // The shortcuts are listed on the page.
    await page.getByText("Keyboard shortcuts", { exact: true }).click();
    await page
      .getByRole("region", { name: "Keyboard" })
      .getByText("Select every face from the last one selected")
      .waitFor();
    await shot(page, "keys", false);
    await page.getByText("Keyboard shortcuts", { exact: true }).click();
    expect(failures).toEqual([]);
  },
  300_000,
);

it.skipIf(!ui.executablePath)(
  "the drawer shows a face's photo, predictions and verdicts; arrows move between faces; Esc closes it",
  async () => {
    const { app, page } = ui.session();
    await page.goto(`${app.baseUrl}/dataset`);
    const all = await listed();
    const index = all.findIndex((f) => f.id === judged.incorrect.id);
    expect(index).toBeGreaterThan(0);

    // Arrows move between tiles; Enter opens the focused one.
    const first = page.locator(`[data-tile-open="${all[index - 1]!.id}"]`);
    await first.focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.tileOpen)).toBe(
      String(judged.incorrect.id),
    );
    await shot(page, "grid-focus", false);
    await page.keyboard.press("Enter");
    const detail = page.getByTestId("face-detail");
    await expect.poll(() => detail.getAttribute("data-face-id"), { timeout: 15_000 }).toBe(String(judged.incorrect.id));
    await expect.poll(() => search(page).get("face")).toBe(String(judged.incorrect.id));
    const verdicts = detail.getByTestId("detail-verdicts");
    await verdicts.getByText(REVIEWER.email).waitFor();
    expect(await verdicts.locator("[data-verdict]").getAttribute("data-verdict")).toBe("incorrect");
    expect(await detail.getByTestId("detail-prediction").count()).toBeGreaterThan(0);
    expect(await detail.getByTestId("detail-consensus").textContent()).toMatch(/Agreed/);
    await detail.getByTestId("detail-audit").or(detail.getByText("Nothing recorded for this face yet.")).waitFor();

    // ← and → step through the list.
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => detail.getAttribute("data-face-id")).toBe(String(all[index - 1]!.id));
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });
    await expect.poll(() => search(page).get("face")).toBeNull();
    // Focus is back on the face the drawer showed last.
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.tileOpen))
      .toBe(String(all[index - 1]!.id));

    // A shared address opens the drawer on its face: the photo with the detected face's box.
    await page.goto(`${app.baseUrl}/dataset?face=${faces[0]!.id}`);
    await expect.poll(() => detail.getAttribute("data-face-id"), { timeout: 15_000 }).toBe(String(faces[0]!.id));
    await detail.getByRole("img", { name: /uploaded photo with face/ }).waitFor();
    await shot(page, "drawer", false);
    await expectNoSeriousAxeFindings(page, "dataset, drawer");
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });
    expect(failures).toEqual([]);
  },
  180_000,
);

it.skipIf(!ui.executablePath)(
  "bulk actions: a face joins the golden set (confirmation, toast, golden mark, audit row); a face without consensus gets the 422 message",
  async () => {
    const { app, page } = ui.session();
    await page.goto(`${app.baseUrl}/dataset?verdict=correct`);
    await expectShown(page, [judged.correct.id]);
    const tile = page.locator(`[data-face-list] [data-face-id="${judged.correct.id}"]`);
    // X selects the focused face.
    await page.locator(`[data-tile-open="${judged.correct.id}"]`).focus();
    await page.keyboard.press("x");
    await expect.poll(() => page.getByTestId("selected-count").textContent()).toBe("1 selected");
    await page.getByRole("group", { name: "Bulk actions" }).getByRole("button", { name: "Add to golden set" }).click();
    const confirm = page.getByTestId("bulk-confirm");
    await confirm.getByRole("heading", { name: "Add 1 face to the golden set?" }).waitFor();
    await shot(page, "bulk-confirm", false);
    await confirm.getByRole("button", { name: "Add to the golden set" }).click();
    await page
      .getByTestId("toast")
      .getByText("Changed 1 of 1 face: added to the golden set.")
      .waitFor({ timeout: 15_000 });
    await tile.getByTestId("golden-mark").waitFor();
    await expect.poll(() => page.getByTestId("selected-count").textContent()).toBe("None selected");

    // The drawer's audit trail has the golden change, as the database has it.
    await tile.locator("[data-tile-open]").click();
    const audit = page.getByTestId("detail-audit");
    await audit
      .locator('[data-action="golden.add"]')
      .getByText(/^Added to the golden set as /)
      .waitFor();
    await audit.scrollIntoViewIfNeeded();
    await shot(page, "drawer-audit", false);
    const rows = await db.query<{ details: { faceIds: number[] } }>(
      `SELECT details FROM "AuditLog" WHERE action = 'golden.add' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows.rows[0]!.details.faceIds).toEqual([judged.correct.id]);
    await page.keyboard.press("Escape");
    await page.getByTestId("face-detail").waitFor({ state: "detached" });

    // Faces nobody has judged cannot join: the server's 422 message is shown, nothing changes.
    expected.push(/POST \S+\/api\/faces\/bulk → 422/);
    await page.goto(`${app.baseUrl}/dataset?verdict=none`);
    const unjudged = (await listed("verdict=none")).map((f) => f.id);
    await expectShown(page, unjudged);
    // Shift extends a selection from the last face ticked.
    await page.getByRole("checkbox", { name: `Select face ${unjudged[0]}`, exact: true }).click();
    await page
      .getByRole("checkbox", { name: `Select face ${unjudged[2]}`, exact: true })
      .click({ modifiers: ["Shift"] });
    await expect.poll(() => page.getByTestId("selected-count").textContent()).toBe("3 selected");
    await page.getByLabel("Select all on page").check();
    await expect.poll(() => page.getByTestId("selected-count").textContent()).toBe(`${unjudged.length} selected`);
    await page.getByRole("group", { name: "Bulk actions" }).getByRole("button", { name: "Add to golden set" }).click();
    await confirm.getByRole("heading", { name: `Add ${unjudged.length} faces to the golden set?` }).waitFor();
    await confirm.getByRole("button", { name: "Add to the golden set" }).click();
    await confirm
      .getByTestId("bulk-error")
      .getByText(/Only reviewed faces whose verdicts agree/)
      .waitFor();
    await shot(page, "bulk-error", false);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    expect((await db.query(`SELECT count(*)::int AS n FROM "Face" WHERE golden`)).rows[0].n).toBe(1);

    // Excluding asks for a reason; the faces are marked.
    await page.getByRole("button", { name: "Clear selection" }).click();
    await page.getByRole("checkbox", { name: `Select face ${unjudged[0]}`, exact: true }).click();
    await page.getByRole("checkbox", { name: `Select face ${unjudged[1]}`, exact: true }).click();
    await page
      .getByRole("group", { name: "Bulk actions" })
      .getByRole("button", { name: "Exclude from training" })
      .click();
    await confirm.getByRole("button", { name: "Exclude from training" }).click();
    await confirm.getByTestId("bulk-error").getByText("Say why these faces leave the training data.").waitFor();
    await confirm.getByLabel("Reason").fill("blurred");
    await confirm.getByRole("button", { name: "Exclude from training" }).click();
    await page.getByTestId("toast").getByText("Changed 2 of 2 faces: excluded from training.").waitFor();
    await page.locator(`[data-face-list] [data-face-id="${unjudged[1]}"]`).getByTestId("excluded-mark").waitFor();
    expect(failures).toEqual([]);
  },
  180_000,
);

it.skipIf(!ui.executablePath)(
  "the list pages by cursor: Load more (or scrolling to the end) brings the next page until every face is shown once",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      watch(page);
      // Pages of five instead of sixty: a few pages from the faces there are.
      await page.route(/\/api\/faces\?/, (route) => {
        const url = new URL(route.request().url());
        url.searchParams.set("limit", "5");
        return route.continue({ url: url.toString() });
      });
      await signInThroughForm(page, app.baseUrl, "/dataset?view=table", app.admin);
      const all = (await listed()).map((f) => f.id);
      await page.getByTestId("face-table").waitFor();
      for (let i = 0; i < 10; i++) {
        const shown = await page.getByTestId("face-row").count();
        if (shown === all.length) break;
        const more = page.getByRole("button", { name: "Load more" });
        if (await more.isVisible()) await more.click().catch(() => {});
        await expect.poll(() => page.getByTestId("face-row").count()).toBeGreaterThan(shown);
      }
      await expectShown(page, all);
      expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
      expect(await page.getByTestId("face-count").textContent()).toBe(`${all.length} faces`);
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  },
  120_000,
);

it.skipIf(!ui.executablePath)(
  "a reviewer is offered no admin filters or selection, and golden=true in the address shows the 403 message",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      watch(page);
      await signInThroughForm(page, app.baseUrl, "/dataset", REVIEWER);
      await page.getByTestId("face-grid").waitFor();
      await page.getByLabel("Your verdict").waitFor();
      for (const label of ["Review state", "Consensus", "Golden set", "Flag", "Reviewer"]) {
        expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(0);
      }
      expect(await page.getByTestId("bulk-bar").count()).toBe(0);
      expect(await page.getByTestId("export-menu").count()).toBe(0);
      expect(await page.locator("[data-tile-select]").count()).toBe(0);
      expect(await page.getByTestId("golden-mark").count()).toBe(0);
      // `x` selects nothing for a reviewer.
      await page.locator("[data-tile-open]").first().focus();
      await page.keyboard.press("x");
      expect(await page.getByTestId("selected-count").count()).toBe(0);

      expected.push(/GET \S+\/api\/faces\?golden=true\S* → 403/);
      await page.goto(`${app.baseUrl}/dataset?golden=true`);
      const error = page.getByTestId("list-error");
      await error.getByRole("heading", { name: "These filters are for admins" }).waitFor({ timeout: 15_000 });
      expect(await error.textContent()).toContain("Only admins may filter by golden.");
      await shot(page, "reviewer-403");
      await error.getByRole("button", { name: "Clear filters" }).click();
      await expect.poll(() => new URL(page.url()).search).toBe("");
      await page.getByTestId("face-grid").waitFor();
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  },
  120_000,
);

it.skipIf(!ui.executablePath)(
  "on a 390 px phone screen the page fits its width, and the drawer too",
  async () => {
    const { app, browser } = ui.session();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const page = await context.newPage();
      watch(page);
      await signInThroughForm(page, app.baseUrl, "/dataset", app.admin);
      await page.getByTestId("face-grid").waitFor();
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot(page, "mobile", false);
      // The shortcuts panel opens within the screen too.
      await page.getByText("Keyboard shortcuts", { exact: true }).click();
      await page.getByRole("region", { name: "Keyboard" }).waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      const legend = await page.getByRole("region", { name: "Keyboard" }).boundingBox();
      expect(legend!.x).toBeGreaterThanOrEqual(0);
      await page.getByText("Keyboard shortcuts", { exact: true }).click();
      await page.locator("[data-tile-open]").first().click();
      await page.getByTestId("face-detail").waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot(page, "mobile-drawer", false);
      expect(failures).toEqual([]);
    } finally {
      await context.close();
    }
  },
  120_000,
);
