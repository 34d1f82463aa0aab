import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { getFfmpeg } from "@/lib/videos/ffmpeg";

const DEMO = path.resolve(__dirname, "../../node_modules/@vladmandic/face-api/demo");

/**
 * Runs ffmpeg without blocking the event loop: a test blocked for seconds would find its HTTP
 * client's idle keep-alive sockets closed by the server underneath it (EPIPE on the next request).
 */
async function ffmpeg(args: string[]): Promise<void> {
  await promisify(execFile)(getFfmpeg().path, ["-hide_banner", "-nostdin", "-v", "error", "-y", ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * An H.264 MP4 of the sample photos (sample1.jpg … sample6.jpg), each shown `secondsEach` seconds,
 * letterboxed to width × height at 25 frames a second; `rounds` times over. `faststart` puts the
 * index at the front, so a cut-off copy still opens (and fails only where its frames end).
 */
export async function makePhotoVideo(
  out: string,
  opts: { width?: number; height?: number; secondsEach?: number; rounds?: number; faststart?: boolean } = {},
): Promise<string> {
  const { width = 640, height = 480, secondsEach = 1, rounds = 1 } = opts;
  const photos = Array.from({ length: 6 * rounds }, (_, i) => path.join(DEMO, `sample${(i % 6) + 1}.jpg`));
  const inputs = photos.flatMap((p) => ["-loop", "1", "-t", String(secondsEach), "-i", p]);
  const scaled = photos
    .map(
      (_, i) =>
        `[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25[v${i}];`,
    )
    .join("");
  const chain = photos.map((_, i) => `[v${i}]`).join("") + `concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  await ffmpeg([
    ...inputs,
    ...["-filter_complex", scaled + chain, "-map", "[out]"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"],
    ...(opts.faststart ? ["-movflags", "+faststart"] : []),
    out,
  ]);
  return out;
}

/** A plain colour video (no faces): `seconds` long, tiny and cheap to make. */
export async function makeColourVideo(
  out: string,
  opts: { seconds: number; size?: string; fps?: number },
): Promise<string> {
  const { seconds, size = "64x48", fps = 1 } = opts;
  await ffmpeg([
    ...["-f", "lavfi", "-i", `color=c=steelblue:s=${size}:r=${fps}:d=${seconds}`],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    out,
  ]);
  return out;
}
