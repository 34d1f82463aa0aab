// The live view's speed in headless Chromium with a fake camera (a sample photo as a .y4m): the real
// app and the active model, the page's own figures read from window.emotionLoopLive after a warm-up.
// One fresh page per backend (?backend=wasm|webgl): frames analysed per second, and the mean
// milliseconds per frame spent detecting faces and cropping + predicting them.
// Run: npm run bench:live [-- --backends wasm,webgl --seconds 20 --warmup 8 --photo 1 --model <dir> --out <dir> --json]
import { getEnv } from "@/lib/env/env";
import { FACE_DETECTOR_SPECS } from "@/lib/faces/detector-settings";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "@/test/support/chromium-launch";
import { fakeCameraArgs, findFfmpeg, makeFakeCameraVideo } from "@/test/support/fake-camera";
import { signIn, startTestApp } from "@/test/support/app-server";
import { machineInfo } from "./support/report";

const USAGE = `npm run bench:live -- [flags]

  --backends <list>  wasm, webgl or auto (the page's own choice), comma-separated (default wasm,webgl)
  --seconds <n>      measured seconds per backend, after the warm-up (default 20)
  --warmup <n>       seconds of frames before measuring (default 8)
  --photo <n>        the face-api sample photo the camera shows, 1–6 (default 1: three faces)
  --size <WxH>       the camera's frame size (default 640x480)
  --model <dir>      the model version folder installed as active (default models/baseline)
  --out <dir>        where to write live-<date>.md and .json (default bench/results)
  --json             print one JSON object last`;

interface Row {
  requested: string;
  backend: string;
  fps: number;
  detectMs: number;
  modelMs: number;
  faces: number;
  frames: number;
  error?: string;
}

interface Stats {
  backend: string;
  fps: number;
  detectMs: number;
  modelMs: number;
  frames: number;
  faces: number;
}

async function main() {
  const { values } = parseArgs({
    options: {
      backends: { type: "string", default: "wasm,webgl" },
      seconds: { type: "string", default: "20" },
      warmup: { type: "string", default: "8" },
      photo: { type: "string", default: "1" },
      size: { type: "string", default: "640x480" },
      model: { type: "string", default: "models/baseline" },
      out: { type: "string", default: "bench/results" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const executablePath = findChromium();
  const ffmpeg = findFfmpeg();
  if (!executablePath || !ffmpeg) throw new Error("bench:live needs Chromium and ffmpeg (see the messages above).");
  const [width, height] = values.size.split("x").map(Number) as [number, number];
  const photo = path.resolve(`node_modules/@vladmandic/face-api/demo/sample${values.photo}.jpg`);
  const video = makeFakeCameraVideo(ffmpeg, photo, { width, height });
  const seconds = Number(values.seconds);
  const warmup = Number(values.warmup);

  const app = await startTestApp({ baseModelDir: path.resolve(values.model) });
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...fakeCameraArgs(video.file)] });
  const rows: Row[] = [];
  try {
    const cookie = await signIn(app.baseUrl, app.admin.email, app.admin.password);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies(
      cookie.split("; ").map((c) => {
        const [name, ...rest] = c.split("=");
        return { name: name!, value: rest.join("="), url: app.baseUrl };
      }),
    );
    for (const requested of values.backends.split(",").map((b) => b.trim())) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      try {
        await page.goto(`${app.baseUrl}/live${requested === "auto" ? "" : `?backend=${requested}`}`);
        const view = page.getByTestId("live-view");
        const deadline = Date.now() + 180_000;
        let phase = await view.getAttribute("data-phase");
        while (phase === "starting" && Date.now() < deadline) {
          await page.waitForTimeout(500);
          phase = await view.getAttribute("data-phase");
        }
        if (phase !== "running") {
          const why =
            (await page
              .locator(".notice-error")
              .textContent()
              .catch(() => null)) ?? phase;
          throw new Error(`the page did not start: ${why}`);
        }
        const read = () => page.evaluate(() => window.emotionLoopLive!.stats()) as Promise<Stats>;
        // The first frames compile kernels; wait for at least two before the clock starts.
        while ((await read()).frames < 2 && Date.now() < deadline) await page.waitForTimeout(500);
        await page.waitForTimeout(warmup * 1000);
        const first = await read();
        const t0 = Date.now();
        const samples: Stats[] = [];
        while (Date.now() - t0 < seconds * 1000) {
          await page.waitForTimeout(1000);
          samples.push(await read());
        }
        const last = samples.at(-1) ?? first;
        const elapsed = (Date.now() - t0) / 1000;
        const mean = (pick: (s: Stats) => number) => samples.reduce((sum, s) => sum + pick(s), 0) / samples.length;
        rows.push({
          requested,
          backend: last.backend,
          fps: (last.frames - first.frames) / elapsed,
          detectMs: mean((s) => s.detectMs),
          modelMs: mean((s) => s.modelMs),
          faces: last.faces,
          frames: last.frames - first.frames,
          ...(errors.length ? { error: errors.join("; ") } : {}),
        });
      } catch (err) {
        rows.push({
          requested,
          backend: "-",
          fps: 0,
          detectMs: 0,
          modelMs: 0,
          faces: 0,
          frames: 0,
          error: err instanceof Error ? err.message.split("\n")[0] : String(err),
        });
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await app.stop();
  }

  const machine = machineInfo();
  const chromiumVersion = execFileSync(executablePath, ["--version"], { encoding: "utf8" }).trim();
  const metadata = JSON.parse(fs.readFileSync(path.join(values.model, "metadata.json"), "utf8")) as {
    testTimeAugmentation?: string;
  };
  const date = new Date().toISOString().slice(0, 10);
  const table = [
    "| backend asked | backend used | fps | detection ms/frame | model ms/frame | faces | frames measured |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.requested} | ${r.backend} | ${r.fps.toFixed(2)} | ${r.detectMs.toFixed(0)} | ${r.modelMs.toFixed(0)} | ${r.faces} | ${r.frames}${r.error ? ` (${r.error})` : ""} |`,
    ),
  ].join("\n");
  const setup =
    `${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB.toFixed(1)} GiB, ${machine.os}; load average ` +
    `${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} at the end (the machine is shared: other work runs beside it). ` +
    `${chromiumVersion}, headless, no GPU (--disable-gpu: WebGL, where it starts, is a software renderer). ` +
    `Fake camera: sample${values.photo}.jpg as a ${width}x${height} .y4m. Model: ${values.model} ` +
    `(test-time augmentation ${metadata.testTimeAugmentation ?? "none"}). ${seconds} s measured per backend after ${warmup} s of warm-up.`;
  const md = `# bench:live — ${date}\n\n${setup}\n\n${table}\n\nfps counts the frames the page finished in the measured seconds; the milliseconds are the page's own means over its last 30 frames, sampled every second. Detection is ${FACE_DETECTOR_SPECS[getEnv().FACE_DETECTOR].description} (FACE_DETECTOR=${getEnv().FACE_DETECTOR}) on the whole frame once a second and whenever a face is lost, in between only around the faces of the frame before (lib/faces/face-follower.ts); model is the grey conversion, the crops and the emotion model (with its test-time augmentation) for every face.\n`;
  fs.mkdirSync(values.out, { recursive: true });
  fs.writeFileSync(path.join(values.out, `live-${date}.md`), md);
  const json = {
    date,
    machine,
    chromium: chromiumVersion,
    photo: values.photo,
    size: { width, height },
    model: values.model,
    seconds,
    warmup,
    loadavg: os.loadavg(),
    rows,
  };
  fs.writeFileSync(path.join(values.out, `live-${date}.json`), JSON.stringify(json, null, 2) + "\n");
  console.log(`\n${setup}\n\n${table}\n\nwritten to ${path.join(values.out, `live-${date}.md`)} and .json`);
  if (values.json) console.log(JSON.stringify(json));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
