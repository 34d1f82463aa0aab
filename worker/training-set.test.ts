import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleTrainingSet, replayDataOf, sampleReplay } from "@/worker/training-set";
import type { ModelMetadata } from "@/lib/model/metadata";
import { writeSyntheticImageFolder } from "@/test/support/synthetic-images";
import type { LabeledImage } from "@/training/fine-tune";

let data: string;
beforeAll(async () => {
  data = await fs.mkdtemp(path.join(os.tmpdir(), "el-replay-"));
  // An imbalanced training folder: 40 happy, 10 sad, 2 disgust.
  await writeSyntheticImageFolder(data, { labels: ["happy"], perClass: 40, size: 8 });
  await writeSyntheticImageFolder(data, { labels: ["sad"], perClass: 10, size: 8, seed: 2 });
  await writeSyntheticImageFolder(data, { labels: ["disgust"], perClass: 2, size: 8, seed: 3 });
});
afterAll(async () => {
  await fs.rm(data, { recursive: true, force: true });
});

const count = (xs: LabeledImage[]) =>
  Object.fromEntries(["happy", "sad", "disgust"].map((l) => [l, xs.filter((x) => x.label === l).length]));

describe("sampleReplay", () => {
  // Asked for 4 labels × 6 = 24 faces; "fear" has no folder here and contributes nothing.
  it.each([
    // The folder's priors (40:10:2 of 52) kept: 24·40/52 ≈ 18, 24·10/52 ≈ 5, and disgust at least one.
    ["proportional", { happy: 18, sad: 5, disgust: 1 }],
    // The same number of each, as far as the folder has them.
    ["per-class", { happy: 6, sad: 6, disgust: 2 }],
  ] as const)("%s → %o", async (mode, expected) => {
    const replay = await sampleReplay(data, ["happy", "sad", "disgust", "fear"], 6, 7, mode);
    expect(count(replay)).toEqual(expected);
  });

  it("is seeded: the same seed picks the same files, another seed others", async () => {
    const a = await sampleReplay(data, ["happy"], 5, 1);
    const b = await sampleReplay(data, ["happy"], 5, 1);
    const c = await sampleReplay(data, ["happy"], 5, 2);
    expect(a.map((x) => x.image.toString("base64"))).toEqual(b.map((x) => x.image.toString("base64")));
    expect(a.map((x) => x.image.toString("base64"))).not.toEqual(c.map((x) => x.image.toString("base64")));
  });

  it("gives nothing for a missing folder or a zero sample size", async () => {
    expect(await sampleReplay(path.join(data, "nope"), ["happy"], 5, 1)).toEqual([]);
    expect(await sampleReplay(data, ["happy"], 0, 1)).toEqual([]);
  });
});

describe("assembleTrainingSet", () => {
  it("keeps a tenth of the reviewed faces and of the replay for validation, and trains on the rest", () => {
    const faces = (label: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ image: Buffer.from(`${label}${i}`), label }));
    const { train, validation, sizes } = assembleTrainingSet(faces("r", 20), faces("p", 30));
    expect(count(validation.map((v) => ({ ...v, label: v.label === "r" ? "happy" : "sad" })))).toMatchObject({
      happy: 2,
      sad: 3,
    });
    expect(train).toHaveLength(45);
    const seen = new Set(train.map((t) => t.image.toString()));
    expect(validation.every((v) => !seen.has(v.image.toString()))).toBe(true);
    // What the job records, so its page can say what validation was.
    expect(sizes).toEqual({ train: { reviewed: 18, replay: 27 }, validation: { reviewed: 2, replay: 3 } });
    expect(assembleTrainingSet(faces("r", 7), []).sizes).toEqual({
      train: { reviewed: 6, replay: 0 },
      validation: { reviewed: 1, replay: 0 },
    });
  });
});

describe("replayDataOf", () => {
  const meta = (trainingConfig?: Record<string, unknown>): ModelMetadata => ({
    labels: ["a", "b"],
    inputShape: [48, 48, 1],
    preprocessing: "unit",
    trainingConfig,
  });
  it.each([
    ["a model trained from scratch: its own data", { kind: "from-scratch", data: "../fer/train" }, "../fer/train"],
    [
      "a retrain's candidate: the data its lineage handed on",
      { kind: "fine-tune", jobId: 3, replayData: "../fer/train" },
      "../fer/train",
    ],
    ["an imported model: none", undefined, null],
    ["a retrain of an imported model: none", { kind: "fine-tune", jobId: 4, replayData: null }, null],
  ])("%s", (_, config, expected) => {
    expect(replayDataOf(meta(config))).toBe(expected);
  });
});
