import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { LabeledImage } from "@/training/fine-tune";
import { mulberry32 } from "@/training/augment";

/**
 * A seeded sample of `perClass` images per label from an image folder with one sub-folder per
 * label (the base model's own training data): replayed beside the corrections, it keeps a few
 * dozen of them from making the model forget everything else. Missing folders give nothing.
 */
export async function sampleReplay(dataDir: string, labels: readonly string[], perClass: number, seed: number): Promise<LabeledImage[]> {
  if (perClass <= 0 || !fsSync.existsSync(dataDir)) return [];
  const rand = mulberry32(seed);
  const out: LabeledImage[] = [];
  for (const label of labels) {
    const dir = path.join(dataDir, label);
    if (!fsSync.existsSync(dir)) continue;
    const files = (await fs.readdir(dir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
    for (let i = files.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [files[i], files[j]] = [files[j]!, files[i]!];
    }
    for (const f of files.slice(0, perClass)) out.push({ image: await fs.readFile(path.join(dir, f)), label });
  }
  return out;
}

/**
 * What a retrain learns from, and what its early stopping watches: a tenth of the reviewed faces
 * and a tenth of the replay are kept for validation, so the best epoch is the one that learned the
 * corrections while keeping the rest; the gate's held-out slice is not among the reviewed faces
 * given here and is never looked at.
 */
export function assembleTrainingSet(reviewed: LabeledImage[], replay: LabeledImage[]): { train: LabeledImage[]; validation: LabeledImage[] } {
  const tenth = (_: LabeledImage, i: number) => i % 10 === 0;
  const rest = (_: LabeledImage, i: number) => i % 10 !== 0;
  return {
    train: [...reviewed.filter(rest), ...replay.filter(rest)],
    validation: [...reviewed.filter(tenth), ...replay.filter(tenth)],
  };
}
