// The face detectors compared on face-api's six sample photos (22 faces counted by eye): faces found,
// missed and false, time per photo, how Tiny's boxes relate to SSD's (the fit behind TINY_TO_SSD_BOX),
// and what the framing does to the emotion model's answers (each detector's crops against SSD's).
// Run: npm run bench:detect [-- --runs 7 --model models/baseline --out bench/results --json]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { cropFaces, expandBox, type Box } from "@/lib/faces/crop";
import { detectFaces, detectRawFaces } from "@/lib/faces/detector";
import { FACE_DETECTOR_SPECS, type FaceDetectorName, TINY_TO_SSD_BOX } from "@/lib/faces/detector-settings";
import { clipToImage } from "@/lib/faces/square-box";
import { decodeUpload, type DecodedImage } from "@/lib/images/decode";
import { loadModelFromDir } from "@/lib/model/predictor";
import { getTf } from "@/lib/tf/backend";
import { machineInfo, markdownTable, spread } from "./support/report";

const USAGE = `npm run bench:detect -- [flags]

  --runs <n>     timed detections per photo and detector, after one untimed (default 7)
  --model <dir>  the emotion model the crops are compared with (default models/baseline)
  --out <dir>    where to write detect-<date>.md and .json (default bench/results)
  --json         print one JSON object last`;

const DEMO = path.resolve("node_modules/@vladmandic/face-api/demo");
/** Every visible face, counted by eye (as lib/faces/detector.test.ts), including the profile in sample2. */
const COUNTED: Record<string, number> = {
  "sample1.jpg": 3,
  "sample2.jpg": 3,
  "sample3.jpg": 3,
  "sample4.jpg": 4,
  "sample5.jpg": 5,
  "sample6.jpg": 4,
};
/** A detection is the same face as a reference box when they overlap at least this much. */
const SAME_FACE_IOU = 0.3;

type Named = Box & { score: number };

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Greedy one-to-one matching by overlap: pairs [found, reference] with IoU ≥ SAME_FACE_IOU. */
function match<T extends Box, R extends Box>(found: T[], reference: R[]): [T, R][] {
  const pairs = found
    .flatMap((f, i) => reference.map((r, j) => ({ i, j, v: iou(f, r) })))
    .filter((p) => p.v >= SAME_FACE_IOU)
    .sort((a, b) => b.v - a.v);
  const usedF = new Set<number>();
  const usedR = new Set<number>();
  const out: [T, R][] = [];
  for (const p of pairs) {
    if (usedF.has(p.i) || usedR.has(p.j)) continue;
    usedF.add(p.i);
    usedR.add(p.j);
    out.push([found[p.i]!, reference[p.j]!]);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const argmax = (p: Float32Array) => p.indexOf(Math.max(...p));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "7" },
      model: { type: "string", default: "models/baseline" },
      out: { type: "string", default: "bench/results" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1\n${USAGE}`);
  const rt = await getTf();
  const model = await loadModelFromDir(path.resolve(values.model!));

  const photos: { file: string; decoded: DecodedImage }[] = [];
  for (const file of Object.keys(COUNTED)) {
    photos.push({ file, decoded: await decodeUpload(fs.readFileSync(path.join(DEMO, file))) });
  }

  // SSD finds every counted face on these photos (the detector test checks it), so its faces are
  // the reference each detector is matched against.
  const reference = new Map<string, Named[]>();
  for (const { file, decoded } of photos) reference.set(file, await detectFaces(decoded.rgb, "ssd"));
  for (const { file } of photos) {
    if (reference.get(file)!.length !== COUNTED[file]) {
      throw new Error(`SSD found ${reference.get(file)!.length} faces in ${file}, not the ${COUNTED[file]} counted`);
    }
  }

  /** Crops of `boxes` (detector pixels) cut from the full-resolution grey image, and the model's answers. */
  async function predictBoxes(decoded: DecodedImage, boxes: Box[]): Promise<Float32Array[]> {
    const { rgb, gray } = decoded;
    const sx = gray.width / rgb.width;
    const sy = gray.height / rgb.height;
    const squares = boxes.map((b) =>
      expandBox({ x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy }, gray.width, gray.height),
    );
    return model.predictImages(await cropFaces(gray, squares));
  }

  interface Row {
    detector: string;
    found: number;
    counted: number;
    missed: string[];
    false_detections: number;
    median_ms: number;
    ms_per_photo: number[];
    box_iou_with_ssd: number | null;
    same_label_as_ssd: string | null;
    mean_abs_prob_diff: number | null;
  }
  const rows: Row[] = [];
  const fit = { dx: [] as number[], dy: [] as number[], width: [] as number[], height: [] as number[] };

  // The last row is a control: SSD's own boxes moved by 5 % of their size, to show how much the
  // emotion model's answer moves with the framing alone.
  const variants: {
    name: string;
    detector: FaceDetectorName;
    framing: "app" | "raw" | "moved";
    faceApiInput?: boolean;
  }[] = [
    { name: "ssd", detector: "ssd", framing: "app" },
    { name: "tiny", detector: "tiny", framing: "app" },
    // The same network on face-api's own input (the image padded to a square): what the app ran before.
    { name: "tiny, on face-api's square input", detector: "tiny", framing: "app", faceApiInput: true },
    { name: "tiny, its own framing", detector: "tiny", framing: "raw" },
    { name: "control: ssd, boxes moved by 5 %", detector: "ssd", framing: "moved" },
  ];
  for (const v of variants) {
    let found = 0;
    let falses = 0;
    const missed: string[] = [];
    const times: number[] = [];
    const ious: number[] = [];
    let same = 0;
    let compared = 0;
    const diffs: number[] = [];
    for (const { file, decoded } of photos) {
      const ref = reference.get(file)!;
      const opts = { faceApiInput: v.faceApiInput };
      await detectFaces(decoded.rgb, v.detector, opts); // warm
      const perPhoto: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await detectFaces(decoded.rgb, v.detector, opts);
        perPhoto.push(performance.now() - t0);
      }
      times.push(median(perPhoto));
      const { width, height } = decoded.rgb;
      const raw = await detectRawFaces(decoded.rgb, v.detector, opts);
      const app = await detectFaces(decoded.rgb, v.detector, opts);
      const boxes: Named[] =
        v.framing === "raw"
          ? raw.flatMap((d) => {
              const c = clipToImage(d, width, height);
              return c ? [{ ...c, score: d.score }] : [];
            })
          : v.framing === "moved"
            ? app.map((b) => ({ ...b, x: b.x + 0.05 * b.width, y: b.y + 0.05 * b.height }))
            : app;
      const pairs = match(boxes, ref);
      found += pairs.length;
      falses += boxes.length - pairs.length;
      if (pairs.length < ref.length) missed.push(`${file}: ${ref.length - pairs.length}`);
      for (const [b, r] of pairs) ious.push(iou(b, r));
      if (v.detector === "tiny" && v.framing === "raw") {
        for (const [t, s] of match(raw, ref)) {
          fit.dx.push((s.x + s.width / 2 - t.x - t.width / 2) / t.width);
          fit.dy.push((s.y + s.height / 2 - t.y - t.height / 2) / t.height);
          fit.width.push(s.width / t.width);
          fit.height.push(s.height / t.height);
        }
      }
      if (pairs.length) {
        const mine = await predictBoxes(
          decoded,
          pairs.map(([b]) => b),
        );
        const theirs = await predictBoxes(
          decoded,
          pairs.map(([, r]) => r),
        );
        mine.forEach((p, i) => {
          const q = theirs[i]!;
          compared++;
          if (argmax(p) === argmax(q)) same++;
          diffs.push(p.reduce((a, x, k) => a + Math.abs(x - q[k]!), 0) / 2);
        });
      }
    }
    const counted = Object.values(COUNTED).reduce((a, b) => a + b, 0);
    const compare = v.detector !== "ssd" || v.framing === "moved";
    rows.push({
      detector: v.name,
      found,
      counted,
      missed,
      false_detections: falses,
      median_ms: median(times),
      ms_per_photo: times,
      box_iou_with_ssd: compare ? spread(ious).mean : null,
      same_label_as_ssd: compare ? `${same} of ${compared}` : null,
      mean_abs_prob_diff: compare ? spread(diffs).mean : null,
    });
  }

  const date = new Date().toISOString().slice(0, 10);
  const m = machineInfo();
  const load = (await import("node:os")).loadavg().map((x) => x.toFixed(1));
  const setup =
    `${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB, ${m.os}; load average ${load.join(" / ")} at the end. ` +
    `Backend ${rt.backend} (${rt.choice}${rt.threads ? `, ${rt.threads} threads` : ""}). ` +
    `face-api's six sample photos, decoded as uploads are (longest side ${photos[0]!.decoded.rgb.width} px for the detector); ` +
    `${runs} timed detections per photo after one untimed. Emotion model: ${path.relative(process.cwd(), model.dir)} (${model.testTimeAugmentation}).`;
  const table = markdownTable(
    [
      "detector",
      "faces found",
      "missed",
      "false",
      "ms/photo (median)",
      "IoU with SSD",
      "same label as SSD's crop",
      "½Σ|Δp|",
    ],
    rows.map((r) => [
      r.detector === "ssd"
        ? `ssd — ${FACE_DETECTOR_SPECS.ssd.description}`
        : r.detector === "tiny"
          ? `tiny — ${FACE_DETECTOR_SPECS.tiny.description}`
          : r.detector,
      `${r.found} of ${r.counted}`,
      r.missed.join(", ") || "—",
      String(r.false_detections),
      r.median_ms.toFixed(0),
      r.box_iou_with_ssd === null ? "—" : r.box_iou_with_ssd.toFixed(2),
      r.same_label_as_ssd ?? "—",
      r.mean_abs_prob_diff === null ? "—" : r.mean_abs_prob_diff.toFixed(3),
    ]),
  );
  const s = (xs: number[]) => {
    const sp = spread(xs);
    return `${sp.mean.toFixed(3)} ± ${sp.sd.toFixed(3)}`;
  };
  const fitText =
    `Tiny → SSD framing, fitted on the ${fit.dx.length} faces both find: centre + (${s(fit.dx)}) × width, ` +
    `(${s(fit.dy)}) × height; width × ${s(fit.width)}, height × ${s(fit.height)}. ` +
    `The app uses ${JSON.stringify(TINY_TO_SSD_BOX)} (lib/faces/detector-settings).`;
  const md = [
    `# bench:detect — ${date}`,
    "",
    setup,
    "",
    table,
    "",
    "*Found*: detections overlapping one of SSD's boxes (IoU ≥ 0.3, one to one); SSD finds every face counted by eye. " +
      "*IoU with SSD*: mean over found faces, boxes as the app crops them. *Same label*: the emotion model's top label on " +
      "the crop cut from this detector's box against the crop from SSD's box; ½Σ|Δp| is the mean total-variation " +
      "distance between the two probability vectors. The control row moves SSD's own boxes by 5 % of their size: " +
      "how far the model's answers move with the framing alone.",
    "",
    fitText,
    "",
  ].join("\n");
  console.log(md);
  fs.mkdirSync(values.out!, { recursive: true });
  const base = path.join(values.out!, `detect-${date}`);
  const json = { date, machine: m, backend: rt.backend, threads: rt.threads ?? 1, rows, fit };
  fs.writeFileSync(`${base}.md`, md);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`written: ${base}.md, ${base}.json`);
  if (values.json) console.log(JSON.stringify(json));
}

main().then(
  // WASM worker threads keep the event loop alive after the work is done.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
