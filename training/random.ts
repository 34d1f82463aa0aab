import { mulberry32 } from "@/training/augment";

/**
 * Seed plumbing for the training loop: every split, shuffle and augmentation is a pure function
 * of (seed, epoch, batch), so a resumed run repeats exactly what an uninterrupted one would do.
 * The generator itself is augment.ts's mulberry32.
 */
export type Random = () => number;

/** A uniform [0, 1) generator for one seed. */
export function seededRandom(seed: number): Random {
  return mulberry32(seed);
}

/** Mixes several integers into one 32-bit seed (e.g. base seed, epoch, batch). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}
