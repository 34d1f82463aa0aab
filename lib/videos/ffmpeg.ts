import "server-only";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { getEnv } from "@/lib/env/env";

export interface FfmpegBinary {
  path: string;
  /** Where it came from: FFMPEG_PATH, a system ffmpeg on PATH, or the npm package. */
  source: "FFMPEG_PATH" | "PATH" | "@ffmpeg-installer/ffmpeg";
}

const state = globalThis as unknown as { emotionLoopFfmpeg?: FfmpegBinary };

/**
 * The ffmpeg binary, resolved once per process: FFMPEG_PATH when set (it must run), else `ffmpeg`
 * on PATH, else the static build inside the optional npm package @ffmpeg-installer/ffmpeg.
 */
export function getFfmpeg(): FfmpegBinary {
  if (state.emotionLoopFfmpeg) return state.emotionLoopFfmpeg;
  const configured = getEnv().FFMPEG_PATH;
  let found: FfmpegBinary | null = null;
  if (configured) {
    if (!runs(configured)) throw new Error(`FFMPEG_PATH=${configured} does not run (ffmpeg -version failed).`);
    found = { path: configured, source: "FFMPEG_PATH" };
  } else if (runs("ffmpeg")) {
    found = { path: "ffmpeg", source: "PATH" };
  } else {
    const packaged = packagedFfmpeg();
    if (packaged && runs(packaged)) found = { path: packaged, source: "@ffmpeg-installer/ffmpeg" };
  }
  if (!found) {
    throw new Error(
      "No ffmpeg found for video files: set FFMPEG_PATH, install ffmpeg on PATH, or install the optional " +
        "npm package @ffmpeg-installer/ffmpeg.",
    );
  }
  process.stderr.write(`[videos] ffmpeg ${found.path} (${found.source})\n`);
  state.emotionLoopFfmpeg = found;
  return found;
}

function runs(bin: string): boolean {
  const r = spawnSync(bin, ["-hide_banner", "-version"], { stdio: "ignore", timeout: 10_000 });
  return r.status === 0;
}

/**
 * The package's binary, resolved from the working directory like every other path in the app
 * (bundlers rewrite `__dirname`), so the server bundle never inlines the package.
 */
function packagedFfmpeg(): string | null {
  try {
    const require = createRequire(path.join(process.cwd(), "package.json"));
    const pkg = require("@ffmpeg-installer/ffmpeg") as { path?: unknown };
    return typeof pkg.path === "string" && fs.existsSync(pkg.path) ? pkg.path : null;
  } catch {
    return null;
  }
}

export interface VideoProbe {
  durationS: number;
  /** Frame size as displayed: a 90° rotation tag swaps the coded width and height. */
  width: number;
  height: number;
  codec: string;
}

/** Why a file is not a video ffmpeg can read: said to the user as is. */
export class UnreadableVideo extends Error {}

/**
 * Reads a video's duration and frame size with `ffmpeg -i` (which prints the container's header
 * and exits). A file without a readable video stream or duration is an UnreadableVideo.
 */
export async function probeVideo(file: string): Promise<VideoProbe> {
  const { stderr } = await run(getFfmpeg().path, ["-hide_banner", "-nostdin", "-i", file], 30_000);
  return parseProbe(stderr);
}

/** The parse of `ffmpeg -i`'s report; exported for tests. */
export function parseProbe(report: string): VideoProbe {
  const stream = /Stream #\d+:\d+[^:]*: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})[,\s]/.exec(report);
  if (!stream) {
    const why = /moov atom not found|Invalid data found|EBML header parsing failed|partial file/i.exec(report);
    throw new UnreadableVideo(
      why
        ? `The file cannot be read as a video (${why[0]}); it may be truncated or damaged.`
        : "The file holds no video stream.",
    );
  }
  const d = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(report);
  if (!d) throw new UnreadableVideo("The video's length cannot be read; it may be truncated or damaged.");
  const durationS = Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]);
  if (!(durationS > 0)) throw new UnreadableVideo("The video has no frames.");
  let width = Number(stream[2]);
  let height = Number(stream[3]);
  const rotate = /rotate\s*:\s*(-?\d+)/.exec(report) ?? /rotation of (-?\d+(?:\.\d+)?) degrees/.exec(report);
  if (rotate && Math.abs(Math.round(Number(rotate[1]))) % 180 === 90) [width, height] = [height, width];
  return { durationS, width, height, codec: stream[1]! };
}

export interface Frame {
  /** Index of the sampled frame; its time is index / fps. */
  index: number;
  /** RGB, 3 bytes a pixel, row-major. */
  rgb: Buffer;
}

export interface FrameReader {
  frames: AsyncIterable<Frame>;
  /** After `frames` ended: ffmpeg's exit code and the errors it printed. */
  done: Promise<{ code: number | null; errors: string }>;
  /** Ends ffmpeg at once (cancel). */
  kill(): void;
}

/**
 * Decoder threads: half the cores, the rest detect and predict. On 2 cores one thread decoded the
 * 60 s 720p video of bench:video at fps 2 with 1.07 s of CPU, ffmpeg's default (a thread per core
 * and more) with 1.56 s, in about the same time (1.07 s against 1.05 s).
 */
const DECODE_THREADS = Math.max(1, Math.floor(os.availableParallelism() / 2));

/**
 * Decodes `file` at `fps` frames per second, scaled to width × height, as raw RGB frames piped
 * through stdout. The caller reads at its own pace: the pipe's back-pressure holds ffmpeg.
 *
 * With `buffers: n`, frames are decoded into n buffers in turn, and a frame's bytes are overwritten
 * when the frame n after it is read: the caller must be done with a frame by then. A buffer of its
 * own per frame (the default) is 2.7 MB of new memory for each 1280x720 frame, which V8 counts
 * towards its next collection of the whole heap.
 */
export function readFrames(
  file: string,
  opts: { fps: number; width: number; height: number; buffers?: number },
): FrameReader {
  const { fps, width, height } = opts;
  const child = spawn(
    getFfmpeg().path,
    [
      ...["-hide_banner", "-nostdin", "-v", "error", "-threads", String(DECODE_THREADS), "-i", file],
      ...["-an", "-sn", "-dn"],
      ...["-vf", `fps=${fps},scale=${width}:${height}`, "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let errors = "";
  child.stderr.on("data", (d: Buffer) => {
    if (errors.length < 20_000) errors += d.toString();
  });
  const done = new Promise<{ code: number | null; errors: string }>((resolve) => {
    child.once("close", (code) => resolve({ code, errors }));
    child.once("error", (err) => resolve({ code: -1, errors: errors + err.message }));
  });
  const frameBytes = width * height * 3;
  async function* frames(): AsyncGenerator<Frame> {
    // Each frame's bytes are copied once, from the pipe's chunks into a buffer: a new one per
    // frame, or with `buffers` one of that many in turn.
    const ring = Array.from({ length: opts.buffers ?? 0 }, () => Buffer.allocUnsafe(frameBytes));
    const next = (i: number) => (ring.length ? ring[i % ring.length]! : Buffer.allocUnsafe(frameBytes));
    let frame = next(0);
    let have = 0;
    let index = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(frameBytes - have, chunk.length - at);
        chunk.copy(frame, have, at, at + n);
        have += n;
        at += n;
        if (have === frameBytes) {
          yield { index: index++, rgb: frame };
          frame = next(index);
          have = 0;
        }
      }
    }
  }
  return {
    frames: frames(),
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** One frame at `timeS` as a high-quality JPEG (a few hundred KB even at 4K), at the display size. */
export async function extractFrameJpeg(file: string, timeS: number): Promise<Buffer> {
  const { stdout, code, stderr } = await run(
    getFfmpeg().path,
    [
      ...["-hide_banner", "-nostdin", "-v", "error", "-ss", timeS.toFixed(3), "-i", file],
      ...["-frames:v", "1", "-q:v", "2", "-f", "image2pipe", "-vcodec", "mjpeg", "pipe:1"],
    ],
    60_000,
  );
  if (code !== 0 || stdout.length === 0) {
    throw new Error(`ffmpeg could not extract the frame at ${timeS} s: ${stderr.trim().split("\n").at(-1) ?? code}`);
  }
  return stdout;
}

function run(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => {
      if (err.length < 100_000) err += d.toString();
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: err, code });
    });
  });
}
