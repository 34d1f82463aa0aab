import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

/**
 * A fake webcam for Chromium: a .y4m video made from a photo with ffmpeg, and the flags that make
 * Chromium's getUserMedia play it (without asking for permission).
 */

/**
 * ffmpeg: the optional npm package @ffmpeg-installer/ffmpeg's binary, else one on PATH; null (with a
 * message saying why the caller skips) when there is none.
 */
export function findFfmpeg(): string | null {
  try {
    const bundled = (createRequire(__filename)("@ffmpeg-installer/ffmpeg") as { path: string }).path;
    if (fs.existsSync(bundled)) return bundled;
  } catch {
    // the optional package is not installed on this platform
  }
  const onPath = spawnSync("ffmpeg", ["-version"], { encoding: "utf8" });
  if (onPath.status === 0) return "ffmpeg";
  console.warn("Skipping the fake-camera tests: no ffmpeg (install @ffmpeg-installer/ffmpeg or put ffmpeg on PATH).");
  return null;
}

export interface FakeCameraVideo {
  file: string;
  width: number;
  height: number;
}

/**
 * A still photo as a `seconds`-long .y4m at `fps`, scaled into width×height (letterboxed in black),
 * the format Chromium's fake capture device reads. It loops the file, so the camera shows the photo
 * for as long as the page runs.
 */
export function makeFakeCameraVideo(
  ffmpeg: string,
  photo: string,
  opts: { width?: number; height?: number; seconds?: number; fps?: number; dir?: string } = {},
): FakeCameraVideo {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "fake-camera-"));
  const file = path.join(dir, `${path.basename(photo, path.extname(photo))}-${width}x${height}.y4m`);
  const scale = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
  const r = spawnSync(
    ffmpeg,
    [
      ...["-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-i", photo],
      ...["-vf", scale, "-r", String(opts.fps ?? 10), "-t", String(opts.seconds ?? 1)],
      ...["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", file],
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${file}: ${r.stderr || r.error?.message}`);
  return { file, width, height };
}

/** Chromium flags: a fake camera playing `y4m`, allowed without a prompt. */
export function fakeCameraArgs(y4m: string): string[] {
  return [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-video-capture=${y4m}`,
  ];
}
