/**
 * Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM
 * algorithm": from many workers' labels on many items, estimate at once each item's true class and
 * each worker's confusion matrix, so that a reliable worker counts for more than a careless one and
 * a worker's systematic confusions (always "sad" for "fear", say) are corrected for.
 */

/** One worker's label on one item. */
export interface Observation {
  item: number;
  worker: number;
  label: string;
}

export interface DawidSkeneOptions {
  /** The classes, in the order used by posteriors, priors and confusion matrices; ties go to the earliest. */
  labels: readonly string[];
  /** The most EM rounds to run (default 100). */
  maxIterations?: number;
  /** Stop when no item's posterior probability changes by this much or more in a round (default 1e-6). */
  tolerance?: number;
  /**
   * A Dirichlet pseudo-count added to every cell of every confusion count and to every class count
   * before normalising (default 0.01), so that a label a worker never gave for a class is unlikely
   * rather than impossible, and a class no item seems to have keeps a small prior.
   */
  smoothing?: number;
}

export interface DawidSkeneResult {
  /** Each item's most probable class (ties → the earliest in `labels`). */
  labels: Map<number, string>;
  /** Each item's posterior probability of each class, in `labels` order; sums to 1. */
  posteriors: Map<number, number[]>;
  /**
   * Each worker's estimated confusion matrix π[true][given]: the probability that the worker gives
   * label `given` to an item of class `true` (indices in `labels` order); each row sums to 1.
   */
  confusion: Map<number, number[][]>;
  /** The estimated share of each class among the items, in `labels` order. */
  priors: number[];
  /** The EM rounds run (one round = an M-step then an E-step). */
  iterations: number;
  /** Whether the posteriors settled within `tolerance` before `maxIterations`. */
  converged: boolean;
}

/** Normalises counts to probabilities; an all-zero row (possible only without smoothing) becomes uniform. */
function normalise(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return total > 0 ? counts.map((c) => c / total) : counts.map(() => 1 / counts.length);
}

/**
 * Runs Dawid–Skene EM. Deterministic: the start is the (soft) majority vote, not a random draw.
 *
 * - Start: each item's posterior is the share of its labels that went to each class.
 * - M-step: class priors p_j ∝ Σ_i T_ij + smoothing; worker k's confusion
 *   π_k[j][l] ∝ Σ_{i: k gave l to i} T_ij + smoothing, each row normalised.
 * - E-step: T_ij ∝ p_j × Π_{(k, l) observed on i} π_k[j][l], computed in log space.
 * - Repeat until the largest change of any T_ij is below `tolerance`, or `maxIterations` rounds.
 *
 * The returned priors and confusion matrices are those the final posteriors were computed from. A
 * worker may label an item more than once; each observation counts. Throws on a label not in
 * `opts.labels`.
 */
export function dawidSkene(observations: ReadonlyArray<Observation>, opts: DawidSkeneOptions): DawidSkeneResult {
  const { labels, maxIterations = 100, tolerance = 1e-6, smoothing = 0.01 } = opts;
  const K = labels.length;
  if (K === 0) throw new Error("dawidSkene: opts.labels is empty");
  if (new Set(labels).size !== K) throw new Error("dawidSkene: opts.labels has a repeated label");
  if (!(smoothing >= 0)) throw new Error(`dawidSkene: smoothing must be 0 or more, got ${smoothing}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new Error(`dawidSkene: maxIterations must be a whole number ≥ 1, got ${maxIterations}`);
  const classOf = new Map(labels.map((label, j) => [label, j]));

  // Items and workers in ascending id order, each observation as indices.
  const itemIds = [...new Set(observations.map((o) => o.item))].sort((a, b) => a - b);
  const workerIds = [...new Set(observations.map((o) => o.worker))].sort((a, b) => a - b);
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const workerIndex = new Map(workerIds.map((id, k) => [id, k]));
  const byItem: { worker: number; label: number }[][] = itemIds.map(() => []);
  for (const o of observations) {
    const label = classOf.get(o.label);
    if (label === undefined)
      throw new Error(
        `dawidSkene: item ${o.item}, worker ${o.worker}: label "${o.label}" is not one of ${labels.map((l) => `"${l}"`).join(", ")}`,
      );
    byItem[itemIndex.get(o.item)!]!.push({ worker: workerIndex.get(o.worker)!, label });
  }

  // T[i][j]: the probability that item i is of class j; starts as the vote shares.
  let T = byItem.map((obs) => {
    const votes = new Array<number>(K).fill(0);
    for (const { label } of obs) votes[label]! += 1 / obs.length;
    return votes;
  });

  let priors = new Array<number>(K).fill(1 / K);
  let confusion: number[][][] = workerIds.map(() => labels.map(() => new Array<number>(K).fill(1 / K)));
  let iterations = 0;
  let converged = itemIds.length === 0;
  while (!converged && iterations < maxIterations) {
    iterations++;

    // M-step.
    const classCounts = new Array<number>(K).fill(smoothing);
    const confusionCounts = workerIds.map(() => labels.map(() => new Array<number>(K).fill(smoothing)));
    byItem.forEach((obs, i) => {
      const t = T[i]!;
      for (let j = 0; j < K; j++) {
        classCounts[j]! += t[j]!;
        for (const { worker, label } of obs) confusionCounts[worker]![j]![label]! += t[j]!;
      }
    });
    priors = normalise(classCounts);
    confusion = confusionCounts.map((rows) => rows.map(normalise));

    // E-step, in log space: log T_ij = log p_j + Σ log π_k[j][l] − log Σ_j' (…).
    const logPriors = priors.map(Math.log);
    const logConfusion = confusion.map((rows) => rows.map((row) => row.map(Math.log)));
    const next = byItem.map((obs) => {
      const logs = logPriors.map((logPrior, j) =>
        obs.reduce((sum, { worker, label }) => sum + logConfusion[worker]![j]![label]!, logPrior),
      );
      // Some class has a finite log: the classes an item was believed to be in gave its own labels weight.
      const max = Math.max(...logs);
      return normalise(logs.map((l) => Math.exp(l - max)));
    });

    let change = 0;
    next.forEach((t, i) => t.forEach((p, j) => (change = Math.max(change, Math.abs(p - T[i]![j]!)))));
    T = next;
    converged = change < tolerance;
  }

  const result: DawidSkeneResult = {
    labels: new Map(),
    posteriors: new Map(),
    confusion: new Map(workerIds.map((id, k) => [id, confusion[k]!])),
    priors,
    iterations,
    converged,
  };
  itemIds.forEach((id, i) => {
    const t = T[i]!;
    let best = 0;
    for (let j = 1; j < K; j++) if (t[j]! > t[best]!) best = j;
    result.labels.set(id, labels[best]!);
    result.posteriors.set(id, t);
  });
  return result;
}
