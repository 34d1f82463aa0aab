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
 * What a retrain learns from: the reviewed faces plus nine tenths of the replay; early stopping
 * watches the other tenth of the replay, never the held-out slice the gate judges.
 */
export function assembleTrainingSet(reviewed: LabeledImage[], replay: LabeledImage[]): { train: LabeledImage[]; validation: LabeledImage[] } {
  return {
    train: [...reviewed, ...replay.filter((_, i) => i % 10 !== 0)],
    validation: replay.filter((_, i) => i % 10 === 0),
  };
}
