// Face detection timing on face-api's sample photos, on whatever backend getTf() picks.
// Run: npx tsx --conditions=react-server bench/faces.ts [runs=5]   (TFJS_BACKEND=cpu|wasm|node|gpu to force one)
import fs from "node:fs/promises";
import path from "node:path";
import { extractFaces } from "@/lib/faces/pipeline";
import { detectFaces } from "@/lib/faces/detector";
import { decodeUpload } from "@/lib/images/decode";
import { getTf } from "@/lib/tf/backend";

const demo = path.resolve("node_modules/@vladmandic/face-api/demo");

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(process.argv[2] ?? 5));
  const rt = await getTf();
  const files = (await fs.readdir(demo)).filter((f) => /^sample\d+\.jpg$/.test(f)).sort();

  // The first call loads the weights and warms the backend; it is reported apart.
  const first = await decodeUpload(await fs.readFile(path.join(demo, files[0] ?? "sample1.jpg")));
  const [, loadMs] = await time(() => detectFaces(first.rgb));

  const rows: string[][] = [];
  for (const file of files) {
    const bytes = await fs.readFile(path.join(demo, file));
    const [decoded, decodeMs] = await time(() => decodeUpload(bytes));
    const detectMs: number[] = [];
    let faces = 0;
    for (let i = 0; i < runs; i++) {
      const [found, ms] = await time(() => detectFaces(decoded.rgb));
      faces = found.length;
      detectMs.push(ms);
    }
    const [, extractMs] = await time(() => extractFaces(decoded, { isFaceCrop: false }));
    rows.push([
      file,
      `${decoded.width}×${decoded.height}`,
      String(faces),
      decodeMs.toFixed(0),
      median(detectMs).toFixed(0),
      extractMs.toFixed(0),
    ]);
  }

  console.log(
    `backend: ${rt.backend} (${rt.choice}${rt.threads ? `, ${rt.threads} threads` : ""}); ` +
      `first detection incl. weight load: ${loadMs.toFixed(0)} ms; detect = median of ${runs}`,
  );
  const head = ["image", "size", "faces", "decode ms", "detect ms", "extract ms"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

main().then(
  // WASM worker threads keep the event loop alive after the work is done.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
