/**
 * A teacher for distillation: one version or the mean of several, each serving as the app would
 * (its own preprocessing, test-time augmentation and temperature), on every sample of a dataset.
 * Computing that takes minutes for FER2013's train split (ten forward passes a face for a
 * `flip-shift` teacher), so the result is cached in a file keyed by the teachers' files and the
 * data, and a resumed run reads it back.
 */
import crypto from "node:crypto";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Tensor } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { loadModelFromDir } from "@/lib/model/predictor";
import { parseTestTimeAugmentation, type TestTimeAugmentation } from "@/lib/model/metadata";
import { dataFingerprint, sampleInput, type ImageDataset } from "@/training/dataset";
import type { Teacher } from "@/training/fit";

/** A teacher version folder, optionally serving with another test-time augmentation than its own. */
export interface TeacherSpec {
  dir: string;
  testTimeAugmentation?: TestTimeAugmentation;
}

/** "models/baseline" or "models/baseline@flip-shift" (the augmentation after the last @). */
export function parseTeacherSpec(spec: string): TeacherSpec {
  const at = spec.lastIndexOf("@");
  if (at <= 0) return { dir: spec };
  return {
    dir: spec.slice(0, at),
    testTimeAugmentation: parseTestTimeAugmentation(spec.slice(at + 1), `the test-time augmentation in "${spec}"`),
  };
}

export function formatTeacherSpec(t: TeacherSpec): string {
  return t.testTimeAugmentation ? `${t.dir}@${t.testTimeAugmentation}` : t.dir;
}

/** Files, sizes and contents of a version folder, hashed: a changed teacher is a different teacher. */
async function folderHash(dir: string): Promise<string> {
  const h = crypto.createHash("sha256");
  for (const name of (await fs.readdir(dir)).sort()) {
    const file = path.join(dir, name);
    if (!(await fs.stat(file)).isFile()) continue;
    h.update(name)
      .update("\0")
      .update(await fs.readFile(file))
      .update("\0");
  }
  return h.digest("hex");
}

/**
 * The teachers' mean served probabilities for every sample of `ds`, [n·k] in the dataset's label
 * order (a teacher's outputs are matched to it by label name; a label a teacher lacks is an error).
 * With `cacheDir` the result is read from, or written to, `teacher-<key>.f32` there.
 */
export async function teacherProbabilities(o: {
  teachers: TeacherSpec[];
  ds: ImageDataset;
  cacheDir?: string;
  log?: (line: string) => void;
}): Promise<Float32Array> {
  const { ds, teachers } = o;
  const log = o.log ?? (() => {});
  if (!teachers.length) throw new Error("no teacher given");
  const k = ds.labels.length;
  const n = ds.samples.length;
  const key = crypto
    .createHash("sha256")
    .update(dataFingerprint(ds.samples, ds.labels))
    .update(ds.inputShape.join("x"));
  for (const t of teachers) key.update(await folderHash(t.dir)).update(t.testTimeAugmentation ?? "own");
  const cacheFile = o.cacheDir ? path.join(o.cacheDir, `teacher-${key.digest("hex").slice(0, 16)}.f32`) : null;
  if (cacheFile && fsSync.existsSync(cacheFile)) {
    const buf = await fs.readFile(cacheFile);
    if (buf.byteLength === n * k * 4) {
      log(`teacher probabilities read from ${cacheFile}`);
      return new Float32Array(buf.buffer, buf.byteOffset, n * k).slice();
    }
  }

  const sum = new Float32Array(n * k);
  for (const t of teachers) {
    const model = await loadModelFromDir(t.dir, { testTimeAugmentation: t.testTimeAugmentation });
    try {
      const { metadata } = model;
      const shape = metadata.inputShape.join("x");
      if (shape !== ds.inputShape.join("x"))
        throw new Error(`teacher ${t.dir} takes ${shape} inputs; the data is ${ds.inputShape.join("x")}`);
      const column = ds.labels.map((label) => {
        const i = metadata.labels.findIndex((l) => l.toLowerCase() === label.toLowerCase());
        if (i < 0) throw new Error(`teacher ${t.dir} has no label "${label}" (it knows ${metadata.labels.join(", ")})`);
        return i;
      });
      const started = Date.now();
      const chunk = 512;
      for (let s = 0; s < n; s += chunk) {
        const inputs = Array.from({ length: Math.min(chunk, n - s) }, (_, j) =>
          sampleInput(ds, s + j, metadata.preprocessing),
        );
        const probs = await model.predict(inputs);
        probs.forEach((p, j) => column.forEach((from, to) => (sum[(s + j) * k + to]! += p[from] ?? 0)));
        if ((s / chunk) % 10 === 0) log(`teacher ${formatTeacherSpec(t)}: ${Math.min(s + chunk, n)}/${n} faces`);
      }
      log(
        `teacher ${formatTeacherSpec(t)} (${model.testTimeAugmentation}, temperature ${model.temperature}): ${n} faces in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    } finally {
      model.dispose();
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= teachers.length;
  if (cacheFile) {
    await fs.mkdir(path.dirname(cacheFile), { recursive: true });
    // Each writer its own temp file: two runs computing the same teacher never interleave their bytes.
    const tmp = `${cacheFile}.${process.pid}-${crypto.randomBytes(4).toString("hex")}.tmp`;
    await fs.writeFile(tmp, Buffer.from(sum.buffer, sum.byteOffset, sum.byteLength));
    await fs.rename(tmp, cacheFile);
  }
  return sum;
}

/** fit()'s teacher from probabilities computed once per sample ([n·k], the dataset's order). */
export function precomputedTeacher(tf: Tf, probs: Float32Array, k: number): Teacher {
  return (_x: Tensor, indices: readonly number[]) => {
    const rows = new Float32Array(indices.length * k);
    indices.forEach((i, j) => rows.set(probs.subarray(i * k, (i + 1) * k), j * k));
    return tf.tensor2d(rows, [indices.length, k]);
  };
}
