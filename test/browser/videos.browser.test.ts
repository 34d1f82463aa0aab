// Browser test (needs Chromium at /usr/bin/chromium and a production build): a video made from the
// sample photos, uploaded through the form, followed in the list (across a reload), then played on
// its page with the boxes over it; a click on a track's timeline seeks, and a track goes to review.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { makePhotoVideo } from "@/test/support/videos";

const ui = useBrowserApp({ worker: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-videos-ui-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Detail {
  duration_s: number;
  tracks: { track_id: number; frames: { t: number }[] }[];
}

it.skipIf(!ui.executablePath)(
  "uploads a video, follows it to done, plays it with boxes and seeks from a timeline",
  async () => {
    const { app, page } = ui.session();
    const file = await makePhotoVideo(path.join(work, "photos.mp4"));
    await signInThroughForm(page, app.baseUrl, "/videos", app.admin);

    // The form checks the fps with the shared schema before anything is sent.
    await page.getByLabel("Video file").setInputFiles(file);
    await page.getByLabel("Frames sampled per second").fill("50");
    await page.getByRole("button", { name: "Upload and analyse" }).click();
    await page.getByText("fps must be a number from 0.1 to 10").waitFor();
    await page.getByLabel("Frames sampled per second").fill("2");
    for (const label of ["happy", "neutral", "sad"]) await page.getByRole("checkbox", { name: label }).check();
    await page.getByRole("button", { name: "Upload and analyse" }).click();

    const row = page.locator("[data-testid=videos-table] tbody tr").first();
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 240_000, interval: 500 }).toBe("done");
    // The list is the server's: a reload shows the same.
    await page.reload();
    await expect.poll(() => row.getAttribute("data-status")).toBe("done");
    const id = Number(await row.getAttribute("data-video-id"));

    await row.getByRole("link").click();
    await page.waitForURL(new RegExp(`/videos/${id}$`));
    await page.setViewportSize({ width: 1280, height: 800 });
    const detail = (await page.evaluate(async (u) => (await fetch(u)).json(), `/api/videos/${id}`)) as Detail;
    const strips = page.locator("[data-testid=timelines] [data-track-id]");
    await expect.poll(() => strips.count()).toBe(detail.tracks.length);
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);

    // A click a quarter-frame into the first track's first frame seeks there, and its box is drawn.
    const track = detail.tracks[0]!;
    const t = track.frames[0]!.t + 0.25;
    const strip = page.locator(`[data-track-id="${track.track_id}"] button`).first();
    const box = (await strip.boundingBox())!;
    await strip.click({ position: { x: (t / detail.duration_s) * box.width, y: box.height / 2 } });
    await expect
      .poll(() => page.evaluate(() => document.querySelector("video")!.currentTime), { timeout: 10_000 })
      .toBeCloseTo(t, 1);
    await expect.poll(() => page.getByTestId("face-box").count()).toBeGreaterThan(0);
    await page
      .getByTestId("face-box")
      .first()
      .getByText(new RegExp(`^${track.track_id}: `))
      .waitFor();

    await page
      .locator(`[data-track-id="${track.track_id}"]`)
      .getByRole("button", { name: "Send uncertain frames to review" })
      .click();
    await page
      .locator(`[data-track-id="${track.track_id}"]`)
      .getByText(/^Sent \d+ frames? to review\.$/)
      .waitFor({ timeout: 30_000 });

    // The page from its top: the player with the boxes at the seeked time, then the timelines.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "videos-detail.png") });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "videos-detail-full.png"), fullPage: true });
  },
  600_000,
);
