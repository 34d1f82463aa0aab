import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locateImage } from "@/lib/feedback-io/image-path";

// <root>/logs/feedback_log.csv, <root>/logs/feedback_images/{a.png, sub/b.png, link.png → <root>/secret.png}
let root: string;
let dirs: { csvDir: string; imagesDir: string };

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "el-locate-")));
  const csvDir = path.join(root, "logs");
  const imagesDir = path.join(csvDir, "feedback_images");
  fs.mkdirSync(path.join(imagesDir, "sub"), { recursive: true });
  fs.writeFileSync(path.join(imagesDir, "a.png"), "a");
  fs.writeFileSync(path.join(imagesDir, "sub", "b.png"), "b");
  fs.writeFileSync(path.join(root, "secret.png"), "s");
  fs.writeFileSync(path.join(csvDir, "beside-csv.png"), "c");
  fs.symlinkSync(path.join(root, "secret.png"), path.join(imagesDir, "link.png"));
  dirs = { csvDir, imagesDir };
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("locateImage", () => {
  it.each([
    ["relative to the CSV's folder", "feedback_images/a.png", "a.png"],
    ["relative to the images folder", "sub/b.png", "sub/b.png"],
    ["with Windows separators", "feedback_images\\sub\\b.png", "sub/b.png"],
    ["with a harmless ..", "sub/../a.png", "a.png"],
  ])("finds an image %s", async (_what, raw, expected) => {
    expect(await locateImage(raw, dirs)).toEqual({ status: "found", path: path.join(dirs.imagesDir, expected) });
  });

  it("finds an absolute path inside the images folder", async () => {
    const abs = path.join(dirs.imagesDir, "a.png");
    expect(await locateImage(abs, dirs)).toEqual({ status: "found", path: abs });
  });

  it.each([
    ["a climb out with ..", "../../secret.png"],
    ["an absolute path elsewhere", "/etc/passwd"],
    ["a symlink inside that points outside", "link.png"],
  ])("refuses %s", async (_what, raw) => {
    expect(await locateImage(raw, dirs)).toEqual({ status: "outside" });
  });

  it.each([
    ["a file nowhere", "missing.png"],
    ["a file nowhere, CSV-relative", "feedback_images/missing.png"],
    ["a folder", "sub"],
    // It exists beside the CSV, but that reading leaves the images folder and is never opened.
    ["a file that exists only outside the images folder", "beside-csv.png"],
  ])("reports %s as missing", async (_what, raw) => {
    expect(await locateImage(raw, dirs)).toEqual({ status: "missing" });
  });
});
