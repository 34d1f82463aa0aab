// Serving speed, measured through the running app: POST /api/predictions for a 48x48 face crop and
// for a 1920x1280 photo with 3 faces, one request at a time and 4 at a time, with the time in each
// stage (decode, detect, crop, model, store) read from the responses' Server-Timing headers.
// Run: npm run bench:serve [-- --requests N --model <dir> --out <dir> --json]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { getEnv } from "@/lib/env/env";
import { createApiToken } from "@/lib/auth/tokens";
import { createDb } from "@/lib/db/client";
import { parseServerTiming } from "@/lib/uploads/stage-times";
import { startTestApp, type TestApp } from "@/test/support/app-server";
import { machineInfo, markdownTable } from "./support/report";
import { latency } from "./support/review-report";

const USAGE = `npm run bench:serve -- [flags]

  --requests <n>  requests per case (default 40; 4 at a time sends n in all, 4 in flight)
  --model <dir>   the model version to serve (default models/baseline, the shipped one)
  --photo <kind>  camera (default): sample1.jpg as the camera wrote it, EXIF and ICC profile
                  included, the copies differing only in a JPEG comment; plain: re-encoded
                  without metadata (what runs before 2026-11-30 sent)
  --label <text>  a name for this run in the table (e.g. "before", "after")
  --out <dir>     where to write serve-<date>[-label].md and .json (default bench/results)
  --json          print one JSON object last

The database: a fresh one on the server named by TEST_DATABASE_URL, else the app's embedded one.`;

const TARGETS = { photo_p50_ms: 250, photo_x4_p50_ms: 600, crop_p50_ms: 30 };
const DEMO = path.resolve("node_modules/@vladmandic/face-api/demo");

interface CaseResult {
  p50_ms: number;
  p95_ms: number;
  requests: number;
  per_s: number;
  faces: number;
  stages_ms: Record<string, number>;
}

/**
 * `n` distinct encodings of one picture, marked per copy at the top edge, so no two uploads have the
 * same bytes (an identical upload may be answered from the first one) and the work is the same.
 */
async function variants(image: Buffer, n: number, format: "png" | "jpeg"): Promise<Buffer[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  return Promise.all(
    Array.from({ length: n }, (_, i) => {
      const px = Buffer.from(data);
      if (format === "png") {
        px[0] = (px[0]! + 1 + i) % 256;
        px[1] = (px[1]! + Math.floor(i / 256) + 1) % 256;
      } else {
        // JPEG's quantisation can swallow a one-level change of one pixel (identical files, answered
        // as duplicates): the copy number is written in bits as 8x8 black or white blocks along the
        // top edge, one JPEG block each, far from any face.
        for (let bit = 0; bit < 16; bit++) {
          const v = (i >> bit) & 1 ? 255 : 0;
          for (let y = 0; y < 8; y++) {
            for (let x = bit * 8; x < bit * 8 + 8; x++) {
              px.fill(v, (y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels);
            }
          }
        }
      }
      const s = sharp(px, { raw: { width: info.width, height: info.height, channels: info.channels } });
      return (format === "png" ? s.png() : s.jpeg({ quality: 92 })).toBuffer();
    }),
  );
}

/**
 * `n` copies of a JPEG exactly as it is (its EXIF and ICC profile included: decoding a camera photo
 * applies the profile), each with a comment segment (COM) after the start-of-image marker that
 * numbers it, so no two uploads have the same bytes and every one decodes to the same pixels.
 */
function withComments(jpeg: Buffer, n: number): Buffer[] {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  return Array.from({ length: n }, (_, i) => {
    const text = Buffer.from(`bench:serve copy ${i}`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(text.length + 2);
    return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe]), length, text, jpeg.subarray(2)]);
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "40" },
      model: { type: "string", default: "models/baseline" },
      label: { type: "string" },
      photo: { type: "string", default: "camera" },
      out: { type: "string", default: "bench/results" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const n = Number(values.requests);
  if (!Number.isInteger(n) || n < 4) throw new Error(`--requests must be a whole number ≥ 4\n${USAGE}`);
  const modelDir = path.resolve(values.model!);
  if (!fs.existsSync(path.join(modelDir, "model.json"))) throw new Error(`${modelDir} has no model.json`);

  const photo = fs.readFileSync(path.join(DEMO, "sample1.jpg"));
  const meta = await sharp(photo).metadata();
  // The crop: the photo's first face as the app cut it would do, here simply a 48x48 grey square.
  const crop = await sharp(photo)
    .extract({ left: 600, top: 200, width: 300, height: 300 })
    .greyscale()
    .resize(48, 48)
    .png()
    .toBuffer();
  console.log(`preparing ${n} distinct copies of a 48x48 crop and of sample1.jpg (${meta.width}x${meta.height}) …`);
  // n for one at a time, n for four at a time, 3 for the warm-up: every upload distinct.
  const crops = await variants(crop, 2 * n + 3, "png");
  if (values.photo !== "camera" && values.photo !== "plain") throw new Error(`--photo camera|plain\n${USAGE}`);
  const photos = values.photo === "camera" ? withComments(photo, 2 * n + 3) : await variants(photo, 2 * n + 3, "jpeg");

  if (!getEnv().TEST_DATABASE_URL) console.log("TEST_DATABASE_URL is unset: the app uses its embedded database.");
  let app: TestApp | null = null;
  try {
    app = await startTestApp({
      baseModelDir: modelDir,
      embeddedDatabase: !getEnv().TEST_DATABASE_URL,
      startupTimeoutMs: 180_000,
    });
    const db = createDb(app.databaseUrl);
    const admin = await db.user.findFirstOrThrow({ where: { email: app.admin.email } });
    const { token } = await createApiToken(db, admin.id, { name: "bench" });
    await db.$disconnect();

    const post = async (image: Buffer, isFaceCrop: boolean) => {
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(image)]), isFaceCrop ? "crop.png" : "photo.jpg");
      if (isFaceCrop) form.set("is_face_crop", "true");
      const started = performance.now();
      const res = await fetch(`${app!.baseUrl}/api/predictions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      const body = (await res.json()) as { faces?: unknown[]; error?: { message: string } };
      const ms = performance.now() - started;
      if (res.status !== 201) throw new Error(`POST /api/predictions → ${res.status} ${body.error?.message}`);
      return { ms, faces: body.faces?.length ?? 0, stages: parseServerTiming(res.headers.get("server-timing")) };
    };

    // Warm-up: the first requests load the detector and the model and compile kernels.
    for (let i = 0; i < 3; i++) {
      await post(crops[2 * n + i]!, true);
      await post(photos[2 * n + i]!, false);
    }

    const run = async (images: Buffer[], isFaceCrop: boolean, concurrency: number): Promise<CaseResult> => {
      const samples: Awaited<ReturnType<typeof post>>[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < n; i = next++) samples.push(await post(images[i]!, isFaceCrop));
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const l = latency(samples.map((s) => s.ms));
      const stageNames = [...new Set(samples.flatMap((s) => Object.keys(s.stages)))];
      const stages_ms = Object.fromEntries(
        stageNames.map((k) => [k, Math.round(latency(samples.map((s) => s.stages[k] ?? 0)).p50 * 10) / 10]),
      );
      return {
        p50_ms: Math.round(l.p50 * 10) / 10,
        p95_ms: Math.round(l.p95 * 10) / 10,
        requests: samples.length,
        per_s: Math.round((samples.length / seconds) * 10) / 10,
        faces: samples[0]?.faces ?? 0,
        stages_ms,
      };
    };

    // A light request (GET /api/health: one database query) sent every 25 ms, alone and while four
    // photos are being analysed: how long other users wait behind the uploads.
    const probe = async (until: () => boolean) => {
      const ms: number[] = [];
      while (!until()) {
        const started = performance.now();
        await (await fetch(`${app!.baseUrl}/api/health`)).arrayBuffer();
        ms.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 25));
      }
      const l = latency(ms);
      return { p50_ms: Math.round(l.p50 * 10) / 10, p95_ms: Math.round(l.p95 * 10) / 10, requests: ms.length };
    };
    const idleUntil = performance.now() + 3000;
    const lightIdle = await probe(() => performance.now() > idleUntil);

    let busy = true;
    const cases = {
      crop: await run(crops.slice(0, n), true, 1),
      crop_x4: await run(crops.slice(n, 2 * n), true, 4),
      photo: await run(photos.slice(0, n), false, 1),
      ...(await Promise.all([
        run(photos.slice(n, 2 * n), false, 4).finally(() => (busy = false)),
        probe(() => !busy),
      ]).then(([photo_x4, lightBusy]) => ({ photo_x4, light: { idle: lightIdle, during_photo_x4: lightBusy } }))),
    };

    const machine = machineInfo();
    const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    const health = (await (await fetch(`${app.baseUrl}/api/health`)).json()) as { backend?: unknown };
    const backend = typeof health.backend === "string" ? health.backend : JSON.stringify(health.backend ?? "?");
    const stageNames = ["decode", "detect", "crop", "model", "store"];
    const date = new Date().toISOString().slice(0, 10);
    const met = (v: number, t: number) => `${v} ms (target < ${t}: ${v < t ? "met" : "NOT met"})`;
    const lines = [
      `# Serving speed, measured — ${date}${values.label ? ` (${values.label})` : ""}`,
      "",
      `- machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB.toFixed(0)} GiB RAM; load average at the end ${load}`,
      `- backend: ${backend}; face detector: ${getEnv().FACE_DETECTOR} (FACE_DETECTOR); inference ${getEnv().INFERENCE_THREAD ? "on threads of its own" : "on the request thread"} (INFERENCE_THREAD); model: ${path.relative(process.cwd(), modelDir) || modelDir}; database: ${getEnv().TEST_DATABASE_URL ? "the server named by TEST_DATABASE_URL" : "embedded"}`,
      `- ${n} requests per case through POST /api/predictions (multipart, an API token), each image distinct; stages are the medians of the responses' Server-Timing`,
      `- the photo: sample1.jpg ${values.photo === "camera" ? "as the camera wrote it (EXIF and an ICC profile), copies differing only in a JPEG comment" : "re-encoded without metadata (no ICC profile to apply), copies marked at the top edge"} (--photo ${values.photo})`,
      `- photo one at a time p50 ${met(cases.photo.p50_ms, TARGETS.photo_p50_ms)}; four at a time p50 ${met(cases.photo_x4.p50_ms, TARGETS.photo_x4_p50_ms)}; crop p50 ${met(cases.crop.p50_ms, TARGETS.crop_p50_ms)}`,
      "",
      markdownTable(
        ["case", "faces", "p50 ms", "p95 ms", "requests/s", ...stageNames.map((s) => `${s} ms`)],
        (
          [
            ["48x48 crop, 1 at a time", cases.crop],
            ["48x48 crop, 4 at a time", cases.crop_x4],
            [`${meta.width}x${meta.height} photo, 1 at a time`, cases.photo],
            [`${meta.width}x${meta.height} photo, 4 at a time`, cases.photo_x4],
          ] as const
        ).map(([name, c]) => [
          name,
          String(c.faces),
          c.p50_ms.toFixed(1),
          c.p95_ms.toFixed(1),
          c.per_s.toFixed(1),
          ...stageNames.map((s) => (c.stages_ms[s] === undefined ? "–" : c.stages_ms[s]!.toFixed(1))),
        ]),
      ),
      "",
      `A light request (GET /api/health, one database query) every 25 ms: p50 ${cases.light.idle.p50_ms} ms, p95 ` +
        `${cases.light.idle.p95_ms} ms alone; p50 ${cases.light.during_photo_x4.p50_ms} ms, p95 ` +
        `${cases.light.during_photo_x4.p95_ms} ms while four photos are analysed (${cases.light.during_photo_x4.requests} requests).`,
      "",
    ];
    const table = lines.join("\n");
    console.log(table);
    fs.mkdirSync(values.out!, { recursive: true });
    const base = path.join(values.out!, `serve-${date}${values.label ? `-${values.label}` : ""}`);
    fs.writeFileSync(`${base}.md`, table);
    const result = {
      ...cases,
      stages_ms: cases.photo.stages_ms,
      backend,
      detector: getEnv().FACE_DETECTOR,
      inference_thread: getEnv().INFERENCE_THREAD,
      machine,
      requests: n,
      photo: values.photo,
      model: path.relative(process.cwd(), modelDir) || modelDir,
    };
    fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
    console.log(`wrote ${base}.md and .json`);
    if (values.json) {
      const pick = (c: CaseResult) => ({ p50_ms: c.p50_ms, p95_ms: c.p95_ms });
      console.log(
        JSON.stringify({
          crop: pick(cases.crop),
          crop_x4: pick(cases.crop_x4),
          photo: pick(cases.photo),
          photo_x4: pick(cases.photo_x4),
          stages_ms: cases.photo.stages_ms,
        }),
      );
    }
  } finally {
    await app?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
