import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { EMOTION_LABELS, type ModelMetadata } from "@/lib/model/metadata";
import { DEFAULT_RESIZE_FILTER, type ResizeFilter } from "@/lib/model/resize";
import { imageToPixels, normalizePixels } from "@/lib/model/preprocess";
import { mixSeed, mulberry32, shuffled } from "@/training/random";

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);

export interface Sample {
  /** Path relative to the folder root, with forward slashes (stable across machines). */
  relPath: string;
  /** Index into the label list (model output order). */
  label: number;
}

export interface ImageFolderListing {
  root: string;
  /** Model output order; folder names map onto these case-insensitively. */
  labels: string[];
  /** Sorted by label, then path (datasetFromPixels keeps its caller's order). */
  samples: Sample[];
  /** Samples per label. */
  counts: number[];
}

export interface ImageDataset extends ImageFolderListing {
  inputShape: ModelMetadata["inputShape"];
  /** Decoded uint8 pixels, sample i at [i·h·w·c, (i+1)·h·w·c), HWC; one buffer for the whole set. */
  pixels: Uint8Array;
}

/**
 * Lists `<root>/<label>/*.png|jpg|jpeg`. Folder names are matched to `labels` case-insensitively
 * (FER2013's alphabetical folders map onto the model's angry…neutral order); a folder that names no
 * label is an error, a label without a folder just has no samples.
 */
export async function listImageFolder(
  root: string,
  labels: readonly string[] = EMOTION_LABELS,
): Promise<ImageFolderListing> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch (err) {
    throw new Error(`Cannot read image folder ${root}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const byName = new Map(labels.map((l, i) => [l.toLowerCase(), i]));
  const dirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
  const unknown = dirs.filter((d) => !byName.has(d.toLowerCase()));
  if (unknown.length) {
    throw new Error(
      `Image folder ${root} has folders that match no label: ${unknown.join(", ")} (labels: ${labels.join(", ")})`,
    );
  }
  const samples: Sample[] = [];
  const counts = new Array<number>(labels.length).fill(0);
  for (const dir of dirs) {
    const label = byName.get(dir.toLowerCase()) ?? -1;
    const files = (await fs.readdir(path.join(root, dir), { withFileTypes: true }))
      .filter((f) => (f.isFile() || f.isSymbolicLink()) && IMAGE_EXTENSIONS.has(path.extname(f.name).toLowerCase()))
      .map((f) => f.name)
      .sort();
    for (const f of files) samples.push({ relPath: `${dir}/${f}`, label });
    counts[label] = (counts[label] ?? 0) + files.length;
  }
  samples.sort((a, b) => a.label - b.label || (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  if (samples.length === 0) throw new Error(`Image folder ${root} contains no .png/.jpg images in label folders`);
  return { root, labels: [...labels], samples, counts };
}

/**
 * listImageFolder + decoding of every image with the shared preprocessing (lib/model/preprocess),
 * kept as uint8 so FER2013's 28k faces take 66 MB.
 */
export async function loadImageFolder(
  root: string,
  opts: {
    labels?: readonly string[];
    inputShape?: ModelMetadata["inputShape"];
    /** The model's filter (resizeFilterOf(metadata)); default the project's. */
    resizeFilter?: ResizeFilter;
    concurrency?: number;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<ImageDataset> {
  const listing = await listImageFolder(root, opts.labels);
  const inputShape = opts.inputShape ?? [48, 48, 1];
  const resizeFilter = opts.resizeFilter ?? DEFAULT_RESIZE_FILTER;
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const pixels = new Uint8Array(listing.samples.length * size);
  const concurrency = opts.concurrency ?? 16;
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < listing.samples.length; i = next++) {
      const sample = listing.samples[i];
      if (!sample) continue;
      const file = path.join(root, sample.relPath);
      try {
        pixels.set(await imageToPixels(await fs.readFile(file), inputShape, resizeFilter), i * size);
      } catch (err) {
        throw new Error(`Cannot decode ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      done++;
      if (opts.onProgress && (done % 2000 === 0 || done === listing.samples.length))
        opts.onProgress(done, listing.samples.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...listing, inputShape, pixels };
}

/**
 * An ImageDataset of images already decoded (with imageToPixels), in the order given: what the
 * training loop reads, for images that never were an image folder (a retrain's corrections).
 * @param rows each h·w·c uint8 pixels, HWC, and its label index
 */
export function datasetFromPixels(
  labels: readonly string[],
  inputShape: ModelMetadata["inputShape"],
  rows: readonly { pixels: Uint8Array; label: number }[],
): ImageDataset {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const pixels = new Uint8Array(rows.length * size);
  const counts = new Array<number>(labels.length).fill(0);
  rows.forEach((r, i) => {
    if (r.pixels.length !== size) throw new Error(`image ${i} has ${r.pixels.length} values, expected ${size}`);
    pixels.set(r.pixels, i * size);
    counts[r.label] = (counts[r.label] ?? 0) + 1;
  });
  const samples = rows.map((r, i) => ({ relPath: `${labels[r.label] ?? r.label}/${i}`, label: r.label }));
  return { root: "", labels: [...labels], samples, counts, inputShape, pixels };
}

/** Sample i's pixels (a view, no copy). */
export function samplePixels(ds: ImageDataset, i: number): Uint8Array {
  const size = ds.inputShape[0] * ds.inputShape[1] * ds.inputShape[2];
  return ds.pixels.subarray(i * size, (i + 1) * size);
}

/** Sample i as model input: exactly what imageToInput gives for the same file. */
export function sampleInput(ds: ImageDataset, i: number, preprocessing: ModelMetadata["preprocessing"]): Float32Array {
  return normalizePixels(samplePixels(ds, i), preprocessing);
}

export interface Split {
  /** Sample indices, in dataset order (shuffling for training happens per epoch, later). */
  train: number[];
  val: number[];
}

/**
 * Per-class train/validation split, made once, from the sample list alone, before any shuffling:
 * each class's samples (sorted by path) are permuted with a seed derived from (seed, class) and
 * the first round(n · valFraction) go to validation. The same files and seed always give the same
 * split, and a sample is in exactly one side. Classes with a single sample stay in training.
 */
export function stratifiedSplit(samples: readonly Sample[], valFraction: number, seed: number): Split {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`valFraction must be in [0, 1), got ${valFraction}`);
  const byClass = new Map<number, number[]>();
  samples.forEach((s, i) => {
    const list = byClass.get(s.label);
    if (list) list.push(i);
    else byClass.set(s.label, [i]);
  });
  const train: number[] = [];
  const val: number[] = [];
  for (const [label, indices] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    const ordered = [...indices].sort((a, b) => ((samples[a]?.relPath ?? "") < (samples[b]?.relPath ?? "") ? -1 : 1));
    const permuted = shuffled(ordered, mulberry32(mixSeed(seed, label)));
    const nVal = indices.length < 2 ? 0 : Math.round(indices.length * valFraction);
    val.push(...permuted.slice(0, nVal));
    train.push(...permuted.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

export const CLASS_WEIGHT_MODES = ["none", "balanced", "sqrt"] as const;
export type ClassWeightMode = (typeof CLASS_WEIGHT_MODES)[number];

/**
 * Loss weight per class from training counts: "balanced" = n / (k · n_c) (sklearn's), "sqrt" = its
 * square root (a milder push towards rare classes such as disgust), "none" = 1. Classes without
 * samples get 0; weights are scaled so the average sample weight is 1 (the loss keeps its scale).
 */
export function classWeights(counts: readonly number[], mode: ClassWeightMode): number[] {
  const present = counts.filter((c) => c > 0).length;
  const total = counts.reduce((a, b) => a + b, 0);
  const raw = counts.map((c) => {
    if (c === 0) return 0;
    if (mode === "none") return 1;
    const balanced = total / (present * c);
    return mode === "balanced" ? balanced : Math.sqrt(balanced);
  });
  const meanPerSample = counts.reduce((acc, c, i) => acc + c * (raw[i] ?? 0), 0) / Math.max(1, total);
  return raw.map((w) => (meanPerSample > 0 ? w / meanPerSample : w));
}

/** sha256 of the sorted "relPath<TAB>label" lines: names the exact data a model was trained on. */
export function dataFingerprint(samples: readonly Sample[], labels: readonly string[]): string {
  const lines = samples.map((s) => `${s.relPath}\t${labels[s.label] ?? s.label}`).sort();
  return `sha256:${crypto.createHash("sha256").update(lines.join("\n")).digest("hex")}`;
}
