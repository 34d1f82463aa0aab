import fs from "node:fs/promises";
import { loadModelFromDir } from "@/lib/model/predictor";
import { computeMetrics, type EvalMetrics } from "@/training/metrics";
import type { FaceRecord } from "./ferplus";

/** The held-out faces with their encoded images, read once. */
export interface Holdout {
  faces: FaceRecord[];
  images: Buffer[];
}

export async function readHoldout(faces: FaceRecord[]): Promise<Holdout> {
  return { faces, images: await Promise.all(faces.map((f) => fs.readFile(f.file))) };
}

export interface VersionScore {
  /** Against the FER+ crowd majority, on the held-out faces that have one. */
  ferplus: EvalMetrics;
  /** Against the original FER2013 labels, on every held-out face. */
  original: EvalMetrics;
  seconds: number;
}

/**
 * Scores a version folder on the held-out faces, in this process, with the app's own loader and
 * preprocessing (loadModelFromDir → predictImages) and the training module's metrics.
 */
export async function scoreVersionDir(dir: string, holdout: Holdout): Promise<VersionScore> {
  const t0 = performance.now();
  const model = await loadModelFromDir(dir);
  try {
    const labels = model.metadata.labels;
    const index = new Map(labels.map((l, i) => [l.toLowerCase(), i]));
    const indexOf = (label: string) => {
      const i = index.get(label);
      if (i === undefined) throw new Error(`model in ${dir} has no label "${label}" (it has ${labels.join(", ")})`);
      return i;
    };
    const probs = await model.predictImages(holdout.images);
    const withCrowd = holdout.faces.flatMap((f, i) =>
      f.ferplus.label ? [{ truth: indexOf(f.ferplus.label), p: probs[i]! }] : [],
    );
    return {
      ferplus: computeMetrics(
        labels,
        withCrowd.map((x) => x.truth),
        withCrowd.map((x) => x.p),
      ),
      original: computeMetrics(
        labels,
        holdout.faces.map((f) => indexOf(f.original)),
        probs,
      ),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}
