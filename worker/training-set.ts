import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { ModelMetadata } from "@/lib/model/metadata";
import type { LabeledImage } from "@/training/fine-tune";
import { mulberry32, shuffled } from "@/training/random";

/**
 * A seeded sample of the base model's own training data (an image folder with one sub-folder per
 * label): replayed beside the corrections, it keeps a few dozen of them from making the model
 * forget everything else. `perClass` × labels faces in all, split "per-class" (the same number of
 * each) or "proportional" (as common as each class is in the folder, at least one each, so the
 * replay does not teach the model new class priors). Missing folders give nothing.
 */
export async function sampleReplay(
  dataDir: string,
  labels: readonly string[],
  perClass: number,
  seed: number,
  mode: ReplayMode = "proportional",
): Promise<LabeledImage[]> {
  if (perClass <= 0 || !fsSync.existsSync(dataDir)) return [];
  const rand = mulberry32(seed);
  const files = new Map<string, string[]>();
  for (const label of labels) {
    const dir = path.join(dataDir, label);
    if (!fsSync.existsSync(dir)) continue;
    const list = (await fs.readdir(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    files.set(label, shuffled(list, rand));
  }
  const available = [...files.values()].reduce((n, l) => n + l.length, 0);
  const total = perClass * labels.length;
  const out: LabeledImage[] = [];
  for (const [label, list] of files) {
    const take =
      mode === "per-class" ? perClass : Math.max(1, Math.round((total * list.length) / Math.max(1, available)));
    for (const f of list.slice(0, take)) out.push({ image: await fs.readFile(path.join(dataDir, label, f)), label });
  }
  return out;
}

export const REPLAY_MODES = ["proportional", "per-class"] as const;
export type ReplayMode = (typeof REPLAY_MODES)[number];

/** How many reviewed and replayed faces a run trained on and validated on, as the job records it. */
export interface TrainingSetSizes {
  train: { reviewed: number; replay: number };
  validation: { reviewed: number; replay: number };
}

/**
 * What a retrain learns from, and what its early stopping watches: a tenth of the reviewed faces
 * and a tenth of the replay are kept for validation, so the best epoch is the one that learned the
 * corrections while keeping the rest; the gate's held-out slice is not among the reviewed faces
 * given here and is never looked at.
 */
export function assembleTrainingSet(
  reviewed: LabeledImage[],
  replay: LabeledImage[],
): { train: LabeledImage[]; validation: LabeledImage[]; sizes: TrainingSetSizes } {
  const tenth = (_: LabeledImage, i: number) => i % 10 === 0;
  const rest = (_: LabeledImage, i: number) => i % 10 !== 0;
  const split = (faces: LabeledImage[]) => ({ train: faces.filter(rest), validation: faces.filter(tenth) });
  const r = split(reviewed);
  const p = split(replay);
  return {
    train: [...r.train, ...p.train],
    validation: [...r.validation, ...p.validation],
    sizes: {
      train: { reviewed: r.train.length, replay: p.train.length },
      validation: { reviewed: r.validation.length, replay: p.validation.length },
    },
  };
}

/**
 * The image folder (one sub-folder per label) a version's lineage was trained on: the
 * `replayData` a retrain handed on, or the version's own `trainingConfig.data` (`npm run train`).
 * Null when there is none; the folder may be missing on this machine (then nothing is replayed).
 */
export function replayDataOf(meta: ModelMetadata): string | null {
  const config = meta.trainingConfig ?? {};
  const data = config.replayData ?? config.data;
  return typeof data === "string" ? data : null;
}
