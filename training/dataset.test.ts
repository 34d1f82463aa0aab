import fs from "node:fs/promises";
import fsSync from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/metadata";
import { imageToInput } from "@/lib/model/preprocess";
import {
  classWeights,
  dataFingerprint,
  listImageFolder,
  loadImageFolder,
  sampleInput,
  stratifiedSplit,
  type Sample,
} from "@/training/dataset";
import { writeSyntheticImageFolder } from "@/test/support/synthetic-images";

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "dataset-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** 100 samples: class c has 10·(c+1) of them (c = 0..3). */
const samples: Sample[] = [0, 1, 2, 3].flatMap((c) =>
  Array.from({ length: 10 * (c + 1) }, (_, i) => ({ relPath: `c${c}/${String(i).padStart(3, "0")}.png`, label: c })),
);

describe("listImageFolder / loadImageFolder", () => {
  it("matches folder names to the model's labels case-insensitively and keeps the model's order", async () => {
    const root = path.join(dir, "mixed-case");
    await writeSyntheticImageFolder(root, { perClass: 2, labels: ["Happy", "ANGRY", "neutral"] });
    const listing = await listImageFolder(root);
    expect(listing.labels).toEqual([...EMOTION_LABELS]);
    expect(listing.counts).toEqual([2, 0, 0, 2, 0, 0, 2]);
    expect(listing.samples.map((s) => s.label)).toEqual([0, 0, 3, 3, 6, 6]);
  });

  it("names a folder that matches no label", async () => {
    const root = path.join(dir, "unknown");
    await writeSyntheticImageFolder(root, { perClass: 1, labels: ["happy", "contempt"] });
    await expect(listImageFolder(root)).rejects.toThrow(/folders that match no label: contempt/);
  });

  it("decodes with the shared preprocessing: a sample's input equals imageToInput of its file", async () => {
    const root = path.join(dir, "decode");
    await writeSyntheticImageFolder(root, { perClass: 2, labels: ["sad", "fear"] });
    const ds = await loadImageFolder(root);
    for (const [i, s] of ds.samples.entries()) {
      const viaPredictor = await imageToInput(await fs.readFile(path.join(root, s.relPath)), {
        inputShape: [48, 48, 1],
        preprocessing: "symmetric",
      });
      expect(Array.from(sampleInput(ds, i, "symmetric"))).toEqual(Array.from(viaPredictor));
    }
  });
});

describe("stratifiedSplit", () => {
  it("is stratified, leak-free and complete", () => {
    const { train, val } = stratifiedSplit(samples, 0.2, 7);
    expect(new Set([...train, ...val]).size).toBe(samples.length);
    expect(train.filter((i) => val.includes(i))).toEqual([]);
    for (const c of [0, 1, 2, 3]) {
      const n = 10 * (c + 1);
      expect(val.filter((i) => samples[i]?.label === c)).toHaveLength(Math.round(n * 0.2));
    }
  });

  it("depends only on the sample list and seed, not on listing order", () => {
    const a = stratifiedSplit(samples, 0.2, 7);
    const reversed = [...samples].reverse();
    const b = stratifiedSplit(reversed, 0.2, 7);
    const names = (s: readonly Sample[], idx: number[]) => idx.map((i) => s[i]?.relPath).sort();
    expect(names(reversed, b.val)).toEqual(names(samples, a.val));
    expect(names(samples, stratifiedSplit(samples, 0.2, 8).val)).not.toEqual(names(samples, a.val));
  });

  it("keeps a class with a single sample in training", () => {
    const { train, val } = stratifiedSplit(
      [{ relPath: "a/1.png", label: 0 }, ...samples.slice(0, 10).map((s) => ({ ...s, label: 1 }))],
      0.5,
      1,
    );
    expect(train).toContain(0);
    expect(val).not.toContain(0);
  });
});

describe("classWeights and dataFingerprint", () => {
  it.each([
    // mode, expected weight ratio rare/common for counts 10 vs 30
    ["none", 1],
    ["balanced", 3],
    ["sqrt", Math.sqrt(3)],
  ] as const)("%s: ratio %d, empty classes 0, mean sample weight 1", (mode, ratio) => {
    const w = classWeights([10, 30, 0], mode);
    expect(w[2]).toBe(0);
    expect((10 * w[0]! + 30 * w[1]!) / 40).toBeCloseTo(1, 10);
    expect(w[0]! / w[1]!).toBeCloseTo(ratio, 10);
  });

  it("fingerprints the sample list independently of order", () => {
    expect(dataFingerprint([...samples].reverse(), ["a", "b", "c", "d"])).toBe(
      dataFingerprint(samples, ["a", "b", "c", "d"]),
    );
    expect(dataFingerprint(samples.slice(1), ["a", "b", "c", "d"])).not.toBe(
      dataFingerprint(samples, ["a", "b", "c", "d"]),
    );
  });
});

const fer = path.resolve("../shared/data/fer2013/test-public");
describe.skipIf(!fsSync.existsSync(fer))("FER2013 folders (skipped: ../shared/data/fer2013 is absent)", () => {
  it("maps the alphabetical folders onto angry…neutral order", async () => {
    const listing = await listImageFolder(fer);
    expect(listing.counts).toEqual([467, 56, 496, 895, 653, 415, 607]);
  });
});
