import type { Interval } from "@/lib/stats/wilson";

/**
 * Macro-F1 from a confusion matrix (confusion[true][predicted]): the mean F1 over the classes present
 * in truth or prediction, as training/metrics.ts and scikit-learn (labels=None) compute it.
 */
export function macroF1(confusion: readonly (readonly number[])[]): number {
  let sum = 0;
  let count = 0;
  confusion.forEach((row, j) => {
    const tp = row[j] ?? 0;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + (r[j] ?? 0), 0);
    if (support === 0 && predicted === 0) return;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    sum += precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    count += 1;
  });
  return count ? sum / count : 0;
}

/** Mulberry32, seeded: the same matrix always gets the same interval (lib/ cannot use training/random.ts). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 95 % percentile-bootstrap interval for macro-F1 (Efron & Tibshirani, 1993): the faces are drawn
 * again with replacement `rounds` times — a face is one cell of the matrix — and the 2.5th and
 * 97.5th percentiles of the recomputed macro-F1 are the bounds. Macro-F1 has no closed-form interval;
 * for a handful of faces this one is wide, which is the point. Null for an empty matrix.
 */
export function bootstrapMacroF1Interval(
  confusion: readonly (readonly number[])[],
  opts: { rounds?: number; seed?: number } = {},
): Interval | null {
  const rounds = opts.rounds ?? 2000;
  const k = confusion.length;
  const cells: number[] = [];
  confusion.forEach((row, i) => row.forEach((count, j) => cells.push(...new Array<number>(count).fill(i * k + j))));
  const n = cells.length;
  if (n === 0) return null;
  const random = seeded(opts.seed ?? 1);
  const sample = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const values: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const row of sample) row.fill(0);
    for (let s = 0; s < n; s++) {
      const cell = cells[Math.floor(random() * n)]!;
      sample[Math.floor(cell / k)]![cell % k]! += 1;
    }
    values.push(macroF1(sample));
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(rounds - 1, Math.max(0, Math.round(q * (rounds - 1))))]!;
  return { low: at(0.025), high: at(0.975) };
}
