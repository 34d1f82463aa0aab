/**
 * `npm run bench:video -- [--fps 2,10] [--seconds 60] [--model models/baseline] [--out bench/results] [--label name]`:
 * sampled frames per second of the video analysis end to end (upload → done, through the launcher's
 * web server and worker), for a 1280x720 H.264 video made from the sample photos (each shown
 * seconds / 6 s), analysed by the given model version (the shipped baseline by default). Upload →
 * done runs from just before the upload to the server's time of finishing; the bench asks for the
 * video's state every 1.5 s meanwhile, as the video pages do.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getEnv } from "@/lib/env/env";
import { signIn, startTestApp } from "@/test/support/app-server";
import { client } from "@/test/support/http";
import { makePhotoVideo } from "@/test/support/videos";
import { machineInfo, markdownTable } from "./support/report";

/** How often the bench asks for the video's state: as app/(signed-in)/videos does. */
const POLL_MS = 1500;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main() {
  const rates = arg("fps", "2,10").split(",").map(Number);
  const seconds = Number(arg("seconds", "60"));
  const modelDir = path.resolve(arg("model", "models/baseline"));
  const out = arg("out", "bench/results");
  const label = arg("label", "");
  const rows: {
    fps: number;
    frames: number;
    tracks: number;
    analysis_s: number;
    frames_per_s: number;
    upload_to_done_s: number;
  }[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-bench-video-"));
  const file = await makePhotoVideo(path.join(work, "bench.mp4"), {
    width: 1280,
    height: 720,
    secondsEach: seconds / 6,
  });
  const app = await startTestApp({ worker: true, baseModelDir: modelDir });
  try {
    const admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
    // Warm-up, not reported: the worker's first analysis loads the model and the detector.
    const warmUp = await makePhotoVideo(path.join(work, "warm-up.mp4"), { width: 1280, height: 720, secondsEach: 0.5 });
    for (const [fps, video] of [[2, warmUp] as const, ...rates.map((r) => [r, file] as const)]) {
      const measured = video === file;
      const form = new FormData();
      form.set("video", new Blob([new Uint8Array(fs.readFileSync(video))], { type: "video/mp4" }), "bench.mp4");
      form.set("fps", String(fps));
      const t0 = Date.now();
      const res = await admin.raw("POST", "/api/videos", form);
      if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
      const { video_id } = (await res.json()) as { video_id: number };
      for (;;) {
        const d = (await (await admin.get(`/api/videos/${video_id}`)).json()) as {
          status: string;
          frames_sampled: number | null;
          started_at: string | null;
          finished_at: string | null;
          tracks: unknown[];
          error: string | null;
        };
        if (d.status === "done" && !measured) break;
        if (d.status === "done") {
          const run = (Date.parse(d.finished_at!) - Date.parse(d.started_at!)) / 1000;
          // To the server's own time of finishing (same machine, same clock), not to the poll that saw it.
          const total = (Date.parse(d.finished_at!) - t0) / 1000;
          rows.push({
            fps,
            frames: d.frames_sampled!,
            tracks: d.tracks.length,
            analysis_s: run,
            frames_per_s: d.frames_sampled! / run,
            upload_to_done_s: total,
          });
          console.log(
            `${seconds} s 1280x720 at fps ${fps}: ${d.frames_sampled} frames, ${d.tracks.length} tracks; ` +
              `analysis ${run.toFixed(1)} s = ${(d.frames_sampled! / run).toFixed(2)} frames/s; ` +
              `upload to done ${total.toFixed(1)} s = ${(d.frames_sampled! / total).toFixed(2)} frames/s; ` +
              `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
          );
          break;
        }
        if (d.status !== "queued" && d.status !== "running") throw new Error(`video ${d.status}: ${d.error}`);
        // As often as the video pages ask (every 1.5 s): every request takes CPU from the analysis
        // being measured, and asking every 100 ms, as this did before, was fifteen times the load.
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    const m = machineInfo();
    const date = new Date().toISOString().slice(0, 10);
    const md = [
      `# bench:video — ${date}${label ? ` (${label})` : ""}`,
      "",
      `${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB; load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(" / ")} at the end. ` +
        `A ${seconds} s 1280x720 H.264 video of the six sample photos; detector ${getEnv().FACE_DETECTOR}; inference ` +
        `${getEnv().INFERENCE_THREAD ? "on threads of its own" : "on the request thread"}; model ${path.relative(process.cwd(), modelDir)}. ` +
        `Upload to done: from just before the upload to the server's time of finishing, the state asked for every ${POLL_MS / 1000} s (as the video pages do).`,
      "",
      markdownTable(
        ["fps asked", "frames sampled", "tracks", "analysis s", "sampled frames/s", "upload to done s"],
        rows.map((r) => [
          String(r.fps),
          String(r.frames),
          String(r.tracks),
          r.analysis_s.toFixed(1),
          r.frames_per_s.toFixed(2),
          r.upload_to_done_s.toFixed(1),
        ]),
      ),
      "",
    ].join("\n");
    console.log(md);
    fs.mkdirSync(out, { recursive: true });
    const name = `video-${date}${label ? `-${label}` : ""}`;
    fs.writeFileSync(path.join(out, `${name}.md`), md);
    fs.writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify({ date, machine: m, rows }, null, 2)}\n`);
  } finally {
    await app.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
