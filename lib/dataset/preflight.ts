import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { computeSnapshot } from "@/lib/dataset/freeze-snapshot";
import type { LabelAggregation } from "@/lib/dataset/snapshot";

/**
 * What a retrain would train on if it started now: per class, the faces it would train on and hold
 * out, the golden set it is judged on, what is left out and why, and whether `min_samples` is met.
 * The split is the one a job makes (stratified, 20 % held out per class); which faces are held out
 * depends on the job's seed, how many does not.
 */
export async function trainingPreflight(db: Db, opts: { minSamples: number; aggregation?: LabelAggregation }) {
  const snapshot = await computeSnapshot(db, "preflight", { aggregation: opts.aggregation });
  const classes = new Map<string, { train: number; holdout: number }>();
  for (const item of snapshot.items) {
    const c = classes.get(item.label) ?? { train: 0, holdout: 0 };
    if (item.holdout) c.holdout += 1;
    else c.train += 1;
    classes.set(item.label, c);
  }
  const train = snapshot.items.filter((i) => !i.holdout).length;
  return {
    classes: Object.fromEntries([...classes.entries()].sort(([a], [b]) => a.localeCompare(b))),
    train,
    holdout: snapshot.items.length - train,
    golden: snapshot.golden.length,
    excluded: snapshot.excluded,
    label_aggregation: snapshot.aggregation,
    min_samples: opts.minSamples,
    ready: train >= opts.minSamples,
  };
}

/** Refuses (422) a retrain that could only fail for want of data, with the counts that say why. */
export async function assertTrainable(db: Db, opts: { minSamples: number; aggregation?: LabelAggregation }) {
  const pre = await trainingPreflight(db, opts);
  if (!pre.ready) {
    throw new AppError(
      "unprocessable",
      `Too few labelled faces: ${pre.train} to train on (plus ${pre.holdout} held out), and this job needs at least ${pre.min_samples}. Review more faces or lower min_samples.`,
      { preflight: pre },
    );
  }
  return pre;
}
