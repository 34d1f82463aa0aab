// Browser test (needs Chromium and a production build): a reviewer answers 20 faces in a row from
// the keyboard on the embedded database `npm start` uses, as fast as the next face appears, while
// the page saves each verdict and claims the next face in the background. No error may show.
import path from "node:path";
import pg from "pg";
import sharp from "sharp";
import { expect, it } from "vitest";
import { createApiToken } from "@/lib/auth/tokens";
import { createDb } from "@/lib/db/client";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { client } from "@/test/support/http";

const FACES = 24;
const ANSWERS = 20;

const ui = useBrowserApp({ embeddedDatabase: true }, async (app) => {
  const db = createDb(app.databaseUrl);
  let token: string;
  try {
    const admin = await db.user.findUniqueOrThrow({ where: { email: app.admin.email } });
    token = (await createApiToken(db, admin.id, { name: "seed" })).token;
  } finally {
    await db.$disconnect();
  }
  const http = client(app.baseUrl, { token });
  for (let i = 0; i < FACES; i++) {
    // A smooth gradient with a different tilt per face: distinct crops, each its own face.
    const pixels = Buffer.from(
      Array.from({ length: 48 * 48 }, (_, p) => ((p % 48) * (i + 1) + Math.floor(p / 48) * 3) % 256),
    );
    const png = await sharp(pixels, { raw: { width: 48, height: 48, channels: 1 } })
      .png()
      .toBuffer();
    const res = await http.upload(png, { isFaceCrop: true, filename: `face-${i}.png`, type: "image/png" });
    if (res.status !== 201) throw new Error(`seeding face ${i} answered ${res.status}: ${await res.text()}`);
  }
});

it.skipIf(!ui.executablePath)(
  `answers ${ANSWERS} faces in a row with the keyboard and never shows an error`,
  async () => {
    const { app, page } = ui.session();
    const failures: string[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/api/") && r.status() >= 400)
        failures.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
    });
    page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));

    await signInThroughForm(page, app.baseUrl, "/review", app.admin);
    const item = page.getByTestId("review-item");
    await item.waitFor();
    // Any error panel or error toast, however briefly shown, is recorded.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { errorsSeen: string[] }).errorsSeen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('.notice-error, [data-testid="toast-error"]'))
          seen.push(el.textContent ?? "");
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    const answered: { id: number; verdict: "correct" | "incorrect"; label?: string }[] = [];
    for (let n = 0; n < ANSWERS; n++) {
      const id = Number(await item.getAttribute("data-prediction-id"));
      const predicted = (await page.getByTestId("predicted-label").textContent())?.trim() ?? "";
      if (n % 2 === 0) {
        await page.keyboard.press("c");
        answered.push({ id, verdict: "correct" });
      } else {
        const index = (EMOTION_LABELS.findIndex((l) => l === predicted) + 1) % EMOTION_LABELS.length;
        await page.keyboard.press(String(index + 1));
        answered.push({ id, verdict: "incorrect", label: EMOTION_LABELS[index] });
      }
      // The next face is on screen before the verdict is saved: wait only for that.
      await expect
        .poll(async () => Number(await item.getAttribute("data-prediction-id")), { timeout: 15_000 })
        .not.toBe(id);
    }
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "review-keyboard-after-20.png"), fullPage: true });

    // Every verdict reaches the database, once, under this reviewer, as pressed.
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      await expect
        .poll(async () => Number((await db.query(`SELECT count(*) AS n FROM "Review"`)).rows[0].n), { timeout: 15_000 })
        .toBe(ANSWERS);
      const rows = (
        await db.query<{ predictionId: number; verdict: string; correctedLabel: string | null; email: string }>(
          `SELECT r."predictionId", r.verdict, r."correctedLabel", u.email FROM "Review" r JOIN "User" u ON u.id = r."reviewerId"`,
        )
      ).rows;
      const byId = new Map(rows.map((r) => [r.predictionId, r]));
      for (const a of answered) {
        const row = byId.get(a.id);
        expect(row, `verdict on prediction ${a.id}`).toBeDefined();
        expect(row!.email).toBe(app.admin.email);
        expect(row!.verdict).toBe(a.verdict.toUpperCase());
        expect(row!.correctedLabel).toBe(a.label ?? null);
      }
    } finally {
      await db.end();
    }
    expect(await page.evaluate(() => (window as unknown as { errorsSeen: string[] }).errorsSeen)).toEqual([]);
    expect(failures).toEqual([]);
  },
  300_000,
);
