import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { EMOTION_LABELS } from "@/lib/model/metadata";
import { mixSeed, mulberry32 } from "@/training/random";

/**
 * Writes a labelled image folder of synthetic 48x48 grey PNGs, `<dir>/<label>/<i>.png`, that a
 * small CNN separates in a few epochs: class k has mean grey 25 + 30k, stripes of period k + 2 and
 * seeded noise. For tests and benchmarks that must not depend on ../shared/data.
 */
export async function writeSyntheticImageFolder(
  dir: string,
  opts: { perClass?: number; labels?: readonly string[]; seed?: number; size?: number } = {},
): Promise<string> {
  const labels = opts.labels ?? EMOTION_LABELS;
  const perClass = opts.perClass ?? 8;
  const size = opts.size ?? 48;
  for (const [k, label] of labels.entries()) {
    await fs.mkdir(path.join(dir, label), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const random = mulberry32(mixSeed(opts.seed ?? 1, k, i));
      const px = Buffer.alloc(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const stripe = Math.floor(y / (k + 2)) % 2 === 0 ? 12 : -12;
          px[y * size + x] = Math.max(0, Math.min(255, Math.round(25 + 30 * k + stripe + (random() - 0.5) * 20)));
        }
      }
      await sharp(px, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(path.join(dir, label, `${String(i).padStart(3, "0")}.png`));
    }
  }
  return dir;
}
