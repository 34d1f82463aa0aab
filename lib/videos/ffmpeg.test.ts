// readFrames against the real ffmpeg (from @ffmpeg-installer) on a video made in the test.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePhotoVideo } from "@/test/support/videos";
import { readFrames, type Frame } from "./ffmpeg";

let dir: string;
let file: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "el-frames-"));
  // Six sample photos, half a second each: at fps 2, six different frames.
  file = await makePhotoVideo(path.join(dir, "photos.mp4"), { width: 160, height: 120, secondsEach: 0.5 });
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Each frame's index, checksum (taken as it is read) and buffer. */
async function read(buffers?: number): Promise<{ index: number; sha: string; frame: Frame }[]> {
  const reader = readFrames(file, { fps: 2, width: 160, height: 120, buffers });
  const out: { index: number; sha: string; frame: Frame }[] = [];
  for await (const frame of reader.frames) {
    out.push({ index: frame.index, sha: crypto.createHash("sha256").update(frame.rgb).digest("hex"), frame });
  }
  expect((await reader.done).code).toBe(0);
  return out;
}

describe("readFrames", () => {
  it("gives the same frames decoded into a few buffers in turn as into a buffer each", async () => {
    const own = await read();
    const ring = await read(2);
    expect(own.length).toBeGreaterThanOrEqual(6);
    expect(new Set(own.map((f) => f.sha)).size).toBeGreaterThanOrEqual(6);
    expect(ring.map((f) => [f.index, f.sha])).toEqual(own.map((f) => [f.index, f.sha]));
    for (const f of own) expect(f.frame.rgb.length).toBe(160 * 120 * 3);
    // A buffer each: every frame still holds its bytes afterwards.
    for (const f of own) expect(crypto.createHash("sha256").update(f.frame.rgb).digest("hex")).toBe(f.sha);
    // Two buffers in turn: frame n's buffer is frame n + 2's, and holds the later frame's bytes.
    expect(new Set(ring.map((f) => f.frame.rgb)).size).toBe(2);
    expect(ring[2]!.frame.rgb).toBe(ring[0]!.frame.rgb);
    expect(ring[3]!.frame.rgb).toBe(ring[1]!.frame.rgb);
    expect(ring[0]!.frame.rgb).not.toBe(ring[1]!.frame.rgb);
  }, 60_000);
});
