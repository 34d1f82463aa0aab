// Browser test (needs Chromium, ffmpeg and a production build): /live with a fake camera playing a
// sample photo. The page boxes and labels the faces it finds in the browser, shows its speed, and
// a capture becomes an upload whose faces are review items. Then the page's own inference module
// and the server predict one 48x48 face crop, and must agree within 1e-4 per class.
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { fakeCameraArgs, findFfmpeg, makeFakeCameraVideo } from "@/test/support/fake-camera";
import { SAMPLE_PHOTO } from "@/test/support/http";

const ffmpeg = findFfmpeg();
// The shipped model (separable convolutions, batch norm, flip test-time augmentation and a
// temperature), so the comparison covers what reviewers really see, calibration included.
const BASELINE = path.resolve("models/baseline");

const ui = useBrowserApp(
  fs.existsSync(path.join(BASELINE, "model.json")) ? { baseModelDir: BASELINE } : {},
  undefined,
  { skip: !ffmpeg, args: () => fakeCameraArgs(makeFakeCameraVideo(ffmpeg!, SAMPLE_PHOTO).file) },
);

let upload: { id: number; faces: number } | null = null;

it.skipIf(!ui.executablePath)(
  "boxes and labels the camera's faces in the browser, with its speed shown",
  async () => {
    const { app, page } = ui.session();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") console.log(`browser console: ${m.text()}`);
    });
    await page.setViewportSize({ width: 1280, height: 800 });
    await signInThroughForm(page, app.baseUrl, "/live", app.admin);

    const view = page.getByTestId("live-view");
    await expect.poll(() => view.getAttribute("data-phase"), { timeout: 180_000 }).not.toBe("starting");
    const notice = page.locator(".notice-error");
    expect(await notice.count(), `the page failed: ${await notice.textContent().catch(() => "")}`).toBe(0);
    expect(await view.getAttribute("data-phase")).toBe("running");
    const faces = page.getByTestId("live-face");
    await expect.poll(() => faces.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    for (const label of await faces.evaluateAll((els) => els.map((e) => e.getAttribute("data-label")))) {
      expect(EMOTION_LABELS).toContain(label);
    }
    await expect
      .poll(async () => Number(await view.getAttribute("data-frames")), { timeout: 60_000 })
      .toBeGreaterThan(3);
    const stats = await page.evaluate(() => window.emotionLoopLive?.stats());
    expect(stats?.fps).toBeGreaterThan(0);
    // Between full detections (one a second) frames are searched only around the faces before.
    expect(stats!.fullDetections).toBeGreaterThan(0);
    await expect
      .poll(
        async () => {
          const s = (await page.evaluate(() => window.emotionLoopLive?.stats()))!;
          return s.frames - s.fullDetections;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    expect(["webgl", "wasm"]).toContain(stats?.backend);
    expect(await page.getByTestId("live-stats").textContent()).toMatch(/\d fps/);
    // The labels on the boxes are the ones listed beside the video.
    expect(await page.getByRole("list", { name: "Faces in view" }).getByRole("listitem").count()).toBeGreaterThan(0);
    console.log(`live view: ${await faces.count()} faces, ${stats!.fps.toFixed(1)} fps on ${stats!.backend}`);

    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "live.png") });
    expect(errors).toEqual([]);
  },
  400_000,
);

it.skipIf(!ui.executablePath)(
  "the C key captures the frame: its faces become review items",
  async () => {
    const { app, page } = ui.session();
    await page.keyboard.press("c");
    const result = page.getByTestId("capture-result").locator("[data-review-items]");
    await result.waitFor({ timeout: 120_000 });
    const faces = Number(await result.getAttribute("data-review-items"));
    const id = Number(await result.getAttribute("data-upload-id"));
    expect(faces).toBeGreaterThan(0);
    expect(await result.textContent()).toContain(`${faces} review item`);

    // Through the API, as any client sees them: the upload's faces, each predicted and unreviewed.
    const res = await page.request.get(`${app.baseUrl}/api/faces?upload=${id}&limit=100`);
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { items: { id: number; upload_id: number; prediction: unknown }[] };
    expect(body.items).toHaveLength(faces);
    for (const item of body.items) {
      expect(item.upload_id).toBe(id);
      expect(item.prediction).not.toBeNull();
    }
    const photo = await page.request.get(`${app.baseUrl}/api/uploads/${id}/image`);
    expect(photo.headers()["content-type"]).toBe("image/png");
    upload = { id, faces };
  },
  200_000,
);

it.skipIf(!ui.executablePath)(
  "the browser's inference and the server's give one 48x48 crop the same probabilities (within 1e-4)",
  async () => {
    const { app, page } = ui.session();
    expect(upload, "the capture test ran first").not.toBeNull();
    const faces = (await (
      await page.request.get(`${app.baseUrl}/api/faces?upload=${upload!.id}&limit=100`)
    ).json()) as {
      items: { id: number }[];
    };
    for (const { id } of faces.items) {
      // The crop the server stored for a captured face: a real face, 48x48 grey.
      const png = Buffer.from(await (await page.request.get(`${app.baseUrl}/api/faces/${id}/crop.png`)).body());
      const { data, info } = await sharp(png).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([48, 48, 1]);

      const server = await page.request.post(`${app.baseUrl}/api/predictions`, {
        multipart: {
          image: { name: `face-${id}.png`, mimeType: "image/png", buffer: png },
          is_face_crop: "true",
        },
      });
      expect(server.status()).toBe(201);
      const predicted = (
        (await server.json()) as { faces: { probabilities: Record<string, number>; labels: string[] }[] }
      ).faces[0]!;
      const browser = await page.evaluate(
        async (crop) => (await window.emotionLoopLive!.classifyCrops([crop]))[0]!,
        Array.from(data),
      );
      const serverProbs = predicted.labels.map((l) => predicted.probabilities[l]!);
      const gap = Math.max(...serverProbs.map((p, k) => Math.abs(p - browser[k]!)));
      console.log(`face ${id}: largest difference browser vs server ${gap.toExponential(2)}`);
      expect(browser).toHaveLength(serverProbs.length);
      expect(gap).toBeLessThan(1e-4);
    }
  },
  200_000,
);
