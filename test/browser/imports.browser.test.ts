// Browser test (needs Chromium at /usr/bin/chromium and a production build): a zip of photos chosen on
// Upload becomes an import whose progress bar, counts and per-file errors are shown, and still are
// after a reload, until it is done. Needs the import worker (`worker: true`).
import path from "node:path";
import { zipSync } from "fflate";
import sharp from "sharp";
import { expect, it } from "vitest";
import { SCREENSHOT_DIR, signInThroughForm, useBrowserApp } from "@/test/support/chromium";
import { samplePhoto } from "@/test/support/http";

const ui = useBrowserApp({ worker: true });

it.skipIf(!ui.executablePath)(
  "a zip dropped on Upload shows the import's progress, which survives a reload and reaches done",
  async () => {
    const { app, page } = ui.session();
    await signInThroughForm(page, app.baseUrl, "/upload", app.admin);

    const photos = await Promise.all(
      [3, 4, 6].map((n) => sharp(samplePhoto(n)).modulate({ brightness: 1.02 }).jpeg().toBuffer()),
    );
    const zip = Buffer.from(
      zipSync({
        "party/one.jpg": photos[0]!,
        "party/two.jpg": photos[1]!,
        "party/three.jpg": photos[2]!,
        "party/readme.txt": Buffer.from("not a photo"),
      }),
    );
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "party.zip", mimeType: "application/zip", buffer: zip });

    const progress = page.getByTestId("import-progress");
    await progress.waitFor({ timeout: 60_000 });
    await page.waitForURL(/\/upload\?import=\d+$/);
    const importId = Number(new URL(page.url()).searchParams.get("import"));
    expect(importId).toBeGreaterThan(0);

    // A reload mid-way: the page finds the same import and goes on showing it.
    await page.reload();
    await page.getByTestId("import-progress").waitFor();
    await expect
      .poll(async () => page.getByTestId("import-status").textContent(), { timeout: 180_000, interval: 500 })
      .toBe("Done");
    expect(await page.getByTestId("import-processed").textContent()).toBe("4 of 4");
    expect(Number(await page.getByTestId("import-faces").textContent())).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId("import-error-count").textContent()).toBe("1");
    await expect.poll(() => page.getByText("party/readme.txt").count()).toBe(1);
    expect(await page.locator("progress").evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([4, 4]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "imports-done.png"), fullPage: true });

    // Without the address, a reload finds nothing running and shows the empty page again.
    await page.goto(`${app.baseUrl}/upload`);
    await page.getByText(/Drop photos or a zip here/).waitFor();
    expect(await page.getByTestId("import-progress").count()).toBe(0);
  },
  300_000,
);
