/**
 * Chance-corrected agreement between raters who put subjects into nominal categories.
 *
 * A label is any string; every distinct string is a category of its own, including "not_a_face" and
 * "unsure". Nothing here reads a database or a file: the functions take the ratings and return figures.
 *
 * All three coefficients have the shape (observed − expected) / (1 − expected): 1 is perfect
 * agreement, 0 is the agreement chance alone would give, below 0 is worse than chance. They differ in
 * how "expected" (chance) agreement is estimated.
 */

/** Cohen's κ for two raters over the same subjects. */
export interface CohensKappa {
  /** (observed − expected) / (1 − expected); null when there are no pairs or expected = 1 (one category only). */
  kappa: number | null;
  /** p_o: the share of pairs on which the two raters gave the same label (0 when there are no pairs). */
  observed: number;
  /** p_e: Σ_c (share of rater 1's labels that are c) × (share of rater 2's labels that are c) (0 with no pairs). */
  expected: number;
  /** The number of pairs (subjects rated by both). */
  n: number;
}

/**
 * Cohen's κ (Cohen 1960, "A coefficient of agreement for nominal scales") between two raters, one
 * pair of labels per subject: `[rater 1's label, rater 2's label]`. Chance agreement uses each
 * rater's own label shares (their marginals).
 */
export function cohensKappa(pairs: ReadonlyArray<readonly [string, string]>): CohensKappa {
  const n = pairs.length;
  if (n === 0) return { kappa: null, observed: 0, expected: 0, n: 0 };
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let same = 0;
  for (const [a, b] of pairs) {
    if (a === b) same++;
    first.set(a, (first.get(a) ?? 0) + 1);
    second.set(b, (second.get(b) ?? 0) + 1);
  }
  // Σ_c row_c × col_c, an integer, so expected = 1 is tested exactly (both raters used one same label).
  let productSum = 0;
  for (const [label, count] of first) productSum += count * (second.get(label) ?? 0);
  const observed = same / n;
  const expected = productSum / (n * n);
  const kappa = productSum === n * n ? null : (observed - expected) / (1 - expected);
  return { kappa, observed, expected, n };
}

/** Fleiss' κ for any number of raters per subject. */
export interface FleissKappa {
  /** (P̄ − P̄e) / (1 − P̄e); null when no subject has 2 ratings or all ratings are one category. */
  kappa: number | null;
  /** P̄: the mean over subjects of P_i, the share of agreeing rater pairs on subject i (0 with no subjects). */
  observed: number;
  /** P̄e = Σ_j p_j², p_j being category j's share of all ratings on the subjects used (0 with no subjects). */
  expected: number;
  /** The number of subjects used (those with at least 2 ratings). */
  items: number;
}

/** The subjects that can show agreement: those with at least two ratings. */
function pairableItems(items: ReadonlyArray<readonly string[]>): ReadonlyArray<readonly string[]> {
  return items.filter((ratings) => ratings.length >= 2);
}

/** How many times each label occurs. */
function countLabels(labels: Iterable<string>, into = new Map<string, number>()): Map<string, number> {
  for (const label of labels) into.set(label, (into.get(label) ?? 0) + 1);
  return into;
}

/**
 * P_i = Σ_j n_ij (n_ij − 1) / (n_i (n_i − 1)): of the n_i (n_i − 1) ordered pairs of distinct
 * ratings subject i received, the share that agree (n_ij = ratings of subject i in category j).
 */
function pairwiseAgreement(ratings: readonly string[]): number {
  const n = ratings.length;
  let agreeing = 0;
  for (const count of countLabels(ratings).values()) agreeing += count * (count - 1);
  return agreeing / (n * (n - 1));
}

/**
 * Fleiss' κ (Fleiss 1971, "Measuring nominal scale agreement among many raters"), generalised to a
 * variable number of ratings per subject: P_i is computed with each subject's own n_i, P̄ is their
 * plain mean, and p_j is category j's share of all the ratings on the subjects used. With the same
 * number of raters on every subject this is exactly Fleiss' original coefficient.
 *
 * `items` holds, for each subject, the labels it received (from any raters, in any order). Subjects
 * with fewer than 2 ratings carry no information on agreement and are left out.
 */
export function fleissKappa(items: ReadonlyArray<readonly string[]>): FleissKappa {
  const used = pairableItems(items);
  if (used.length === 0) return { kappa: null, observed: 0, expected: 0, items: 0 };
  let sumP = 0;
  let total = 0;
  const categories = new Map<string, number>();
  for (const ratings of used) {
    sumP += pairwiseAgreement(ratings);
    total += ratings.length;
    countLabels(ratings, categories);
  }
  const observed = sumP / used.length;
  let expected = 0;
  for (const count of categories.values()) expected += (count / total) ** 2;
  // P̄e = 1 exactly when one category holds every rating; κ is then 0 / 0.
  const kappa = categories.size <= 1 ? null : (observed - expected) / (1 - expected);
  return { kappa, observed, expected, items: used.length };
}

/** Raw agreement with no correction for chance. */
export interface PercentAgreement {
  /** The mean over subjects of P_i (Fleiss' P̄), in [0, 1]; null when no subject has 2 ratings. */
  agreement: number | null;
  /** The number of subjects used (those with at least 2 ratings). */
  items: number;
}

/**
 * Mean pairwise agreement: for each subject with at least 2 ratings, the share of its pairs of
 * ratings that agree (P_i, as in Fleiss' κ), averaged over subjects. Two raters: the share of
 * subjects they labelled alike.
 */
export function percentAgreement(items: ReadonlyArray<readonly string[]>): PercentAgreement {
  const used = pairableItems(items);
  if (used.length === 0) return { agreement: null, items: 0 };
  const sum = used.reduce((acc, ratings) => acc + pairwiseAgreement(ratings), 0);
  return { agreement: sum / used.length, items: used.length };
}

/** Krippendorff's α for nominal data. */
export interface KrippendorffAlpha {
  /** 1 − D_o / D_e; null when no unit is pairable or all pairable values are one category. */
  alpha: number | null;
  /** The number of pairable units (those with at least 2 values). */
  items: number;
  /** n..: the number of pairable values, i.e. all values in the pairable units. */
  pairable: number;
}

/**
 * Krippendorff's α for nominal data, computed through the coincidence matrix as in Krippendorff
 * (2011), "Computing Krippendorff's Alpha-Reliability", in its case of nominal data with any
 * number of observers and missing values.
 *
 * `items` holds, per unit, the values it received; a missing value is simply absent. Units with
 * fewer than 2 values are unpairable and dropped. Each unit u with m_u values adds 1 / (m_u − 1) to
 * the coincidence o_ck for every ordered pair of two of its values (c, k); n_c = Σ_k o_ck and n.. = Σ_c n_c.
 * Then
 *
 *   α = 1 − (n.. − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k
 *     = ((n.. − 1) Σ_c o_cc − Σ_c n_c (n_c − 1)) / (n.. (n.. − 1) − Σ_c n_c (n_c − 1)).
 *
 * The second form is the one used here (nominal: matching values agree, any mismatch counts 1).
 * Unlike Fleiss' κ, chance agreement is estimated from pairable values drawn without replacement,
 * so α corrects for small samples.
 */
export function krippendorffAlphaNominal(items: ReadonlyArray<readonly string[]>): KrippendorffAlpha {
  const used = pairableItems(items);
  // Σ_c o_cc: within a unit, n_uc values of c make n_uc (n_uc − 1) ordered pairs of agreeing values.
  let diagonal = 0;
  const totals = new Map<string, number>();
  let n = 0;
  for (const values of used) {
    let agreeing = 0;
    for (const count of countLabels(values).values()) agreeing += count * (count - 1);
    diagonal += agreeing / (values.length - 1);
    countLabels(values, totals);
    n += values.length;
  }
  // In a pairable unit every value takes part in m_u − 1 pairs, each weighted 1 / (m_u − 1), so n_c
  // (a row sum of the coincidence matrix) is simply how many pairable values are c.
  let chancePairs = 0;
  for (const count of totals.values()) chancePairs += count * (count - 1);
  // The denominator n.. (n.. − 1) − Σ_c n_c (n_c − 1) is 0 exactly when at most one category occurs.
  const alpha = totals.size <= 1 ? null : ((n - 1) * diagonal - chancePairs) / (n * (n - 1) - chancePairs);
  return { alpha, items: used.length, pairable: n };
}
