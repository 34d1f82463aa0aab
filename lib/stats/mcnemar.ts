/**
 * McNemar's test for two classifiers scored on the same faces. Only the faces they disagree on
 * count: `b` right by the first only, `c` right by the second only. Under "no difference" each such
 * face is a fair coin, so the exact (conditional) two-sided p-value is twice the binomial tail:
 * p = min(1, 2 · P(X ≤ min(b, c))), X ~ Binomial(b + c, ½). Exact, so it holds for a handful of faces.
 */
export function mcnemarExact(b: number, c: number): number {
  const m = b + c;
  if (m === 0) return 1;
  const k = Math.min(b, c);
  // Σ_{i ≤ k} C(m, i) / 2^m, built term by term in floating point (m is at most a few thousand).
  let term = Math.pow(0.5, m);
  let tail = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (m - i + 1)) / i;
    tail += term;
  }
  return Math.min(1, 2 * tail);
}

export const ALPHA = 0.05;

export type PairedVerdict =
  /** Exact McNemar on the stored per-face agreement. */
  | { kind: "exact"; p: number; significant: boolean }
  /** Only each side's number right is known: the p-value lies between these, whatever the pairing. */
  | { kind: "bounded"; pMin: number; pMax: number; significant: boolean | null };

/**
 * The same test when only each side's number right on the same `n` faces is known (two confusion
 * matrices, no per-face record). The discordant faces then satisfy b − c = k₁ − k₂ and
 * |k₁ − k₂| ≤ b + c ≤ min(k₁ + k₂, 2n − k₁ − k₂); for a fixed difference the p-value grows with
 * b + c, so its two ends bound every pairing the figures allow. When both ends fall on the same side
 * of α the answer is known (a difference of at most 5 faces is never significant); otherwise
 * `significant` is null: it depends on which faces each got right.
 */
export function mcnemarFromCounts(k1: number, k2: number, n: number): PairedVerdict {
  const d = Math.abs(k1 - k2);
  const most = Math.min(k1 + k2, 2 * n - k1 - k2);
  const pMin = mcnemarExact(d, 0);
  const pMax = mcnemarExact((most + d) / 2, (most - d) / 2);
  const significant = pMin >= ALPHA ? false : pMax < ALPHA ? true : null;
  return { kind: "bounded", pMin, pMax, significant };
}

/** Faces two versions got right and wrong together, from scoring both on the same faces. */
export interface Agreement {
  /** Right by both. */
  both: number;
  /** Right by the first (the candidate) only. */
  first_only: number;
  /** Right by the second (the version it was judged against) only. */
  second_only: number;
  /** Wrong by both. */
  neither: number;
}

/** Counts the per-face agreement of two lists of hits on the same faces, in the same order. */
export function countAgreement(first: readonly boolean[], second: readonly boolean[]): Agreement {
  if (first.length !== second.length) throw new Error(`${first.length} results for ${second.length} faces`);
  const out: Agreement = { both: 0, first_only: 0, second_only: 0, neither: 0 };
  first.forEach((a, i) => {
    const b = second[i];
    if (a && b) out.both += 1;
    else if (a) out.first_only += 1;
    else if (b) out.second_only += 1;
    else out.neither += 1;
  });
  return out;
}
