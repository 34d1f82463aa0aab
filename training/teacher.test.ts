import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTf } from "@/lib/tf/backend";
import type { Tf } from "@/lib/tf/tf";
import { EMOTION_LABELS } from "@/lib/model/metadata";
import { loadModelFromDir } from "@/lib/model/predictor";
import { datasetFromPixels, sampleInput } from "@/training/dataset";
import { mulberry32 } from "@/training/random";
import { parseTeacherSpec, precomputedTeacher, teacherProbabilities } from "@/training/teacher";
import { createTinyModelDir } from "@/test/support/tiny-model";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "teacher-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let tf: Tf;
beforeAll(async () => {
  tf = (await getTf()).tf;
});

/** Seeded noise faces, labels cycling through the seven emotions. */
function faces(n: number) {
  const random = mulberry32(7);
  return datasetFromPixels(
    EMOTION_LABELS,
    [48, 48, 1],
    Array.from({ length: n }, (_, i) => ({
      pixels: Uint8Array.from({ length: 48 * 48 }, () => Math.floor(random() * 256)),
      label: i % EMOTION_LABELS.length,
    })),
  );
}

describe("parseTeacherSpec", () => {
  it.each([
    ["models/baseline", { dir: "models/baseline" }],
    ["models/baseline@flip-shift", { dir: "models/baseline", testTimeAugmentation: "flip-shift" }],
    ["/tmp/a@b/m@none", { dir: "/tmp/a@b/m", testTimeAugmentation: "none" }],
  ])("%s", (spec, expected) => expect(parseTeacherSpec(spec)).toEqual(expected));

  it("refuses an augmentation that does not exist", () => {
    expect(() => parseTeacherSpec("models/baseline@mirror")).toThrow(
      'the test-time augmentation in "models/baseline@mirror" must be one of none, flip, flip-shift',
    );
  });
});

describe("teacherProbabilities", () => {
  it("is the mean of the teachers' served probabilities, matched by label name, and is cached", async () => {
    const a = await createTinyModelDir(path.join(work, "a"), { seed: 1 });
    // The same seven labels in another order: its outputs must be put back in the data's order.
    const reversed = [...EMOTION_LABELS].reverse();
    const b = await createTinyModelDir(path.join(work, "b"), { seed: 2, labels: reversed, preprocessing: "symmetric" });
    const ds = faces(20);
    const cacheDir = path.join(work, "cache");
    const teachers = [{ dir: a }, { dir: b, testTimeAugmentation: "flip" as const }];
    const probs = await teacherProbabilities({ teachers, ds, cacheDir });

    const ma = await loadModelFromDir(a);
    const mb = await loadModelFromDir(b, { testTimeAugmentation: "flip" });
    const pa = await ma.predict(ds.samples.map((_, i) => sampleInput(ds, i, "unit")));
    const pb = await mb.predict(ds.samples.map((_, i) => sampleInput(ds, i, "symmetric")));
    [ma, mb].forEach((m) => m.dispose());
    const k = EMOTION_LABELS.length;
    for (let i = 0; i < ds.samples.length; i++) {
      EMOTION_LABELS.forEach((label, c) => {
        const expected = (pa[i]![c]! + pb[i]![reversed.indexOf(label)]!) / 2;
        expect(probs[i * k + c]).toBeCloseTo(expected, 6);
      });
    }

    const cached = fs.readdirSync(cacheDir);
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatch(/^teacher-[0-9a-f]{16}\.f32$/);
    // Read back, not recomputed: a result written over the cache file is what comes back.
    const file = path.join(cacheDir, cached[0]!);
    fs.writeFileSync(file, Buffer.from(new Float32Array(20 * k).fill(0.25).buffer));
    expect(Array.from(await teacherProbabilities({ teachers, ds, cacheDir }))).toEqual(new Array(20 * k).fill(0.25));
    // Another augmentation is another teacher: computed afresh, beside the first.
    await teacherProbabilities({ teachers: [{ dir: a }, { dir: b }], ds, cacheDir });
    expect(fs.readdirSync(cacheDir)).toHaveLength(2);
  });

  it("two runs computing the same teacher at once both finish and leave one whole cache file", async () => {
    const dir = await createTinyModelDir(path.join(work, "twice"), { seed: 3 });
    const ds = faces(40);
    const cacheDir = path.join(work, "cache-twice");
    const [a, b] = await Promise.all([1, 2].map(() => teacherProbabilities({ teachers: [{ dir }], ds, cacheDir })));
    expect(Array.from(a!)).toEqual(Array.from(b!));
    const files = fs.readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    expect(fs.statSync(path.join(cacheDir, files[0]!)).size).toBe(40 * EMOTION_LABELS.length * 4);
  });

  it("refuses a teacher without one of the data's labels", async () => {
    const dir = await createTinyModelDir(path.join(work, "two"), { labels: ["happy", "sad"] });
    await expect(teacherProbabilities({ teachers: [{ dir }], ds: faces(3) })).rejects.toThrow(/no label "angry"/);
  });
});

describe("precomputedTeacher", () => {
  it("gives the rows of the batch's samples, in the batch's order", () => {
    const probs = Float32Array.from({ length: 5 * 2 }, (_, i) => i);
    const teacher = precomputedTeacher(tf, probs, 2);
    const x = tf.zeros([3, 1]);
    const out = teacher(x, [4, 0, 2]);
    expect(Array.from(out.dataSync())).toEqual([8, 9, 0, 1, 4, 5]);
    tf.dispose([x, out]);
  });
});
