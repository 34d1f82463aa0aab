/**
 * Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017): one number T,
 * fitted on held-out faces, that softens (T > 1) or sharpens (T < 1) every served probability vector
 * so that a face served at 80 % confidence is right about 80 % of the time. It never changes which
 * label ranks first, so accuracy stays as it was. Pure (no Node imports): the browser applies it too.
 */

/** Below this a probability counts as this (a log of 0 would poison the fit). */
const FLOOR = 1e-12;

/**
 * p^(1/T), renormalised: the softmax of the logits divided by T, computed from the probabilities
 * (log p is the logits up to a constant, which the softmax ignores). T = 1 returns a copy.
 */
export function applyTemperature(p: ArrayLike<number>, temperature: number): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a positive number, got ${temperature}`);
  }
  const out = new Float32Array(p.length);
  if (temperature === 1) {
    for (let i = 0; i < p.length; i++) out[i] = p[i]!;
    return out;
  }
  const beta = 1 / temperature;
  let max = -Infinity;
  const logs = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    logs[i] = Math.log(Math.max(FLOOR, p[i]!)) * beta;
    if (logs[i]! > max) max = logs[i]!;
  }
  let sum = 0;
  const e = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) sum += e[i] = Math.exp(logs[i]! - max);
  for (let i = 0; i < p.length; i++) out[i] = e[i]! / sum;
  return out;
}

/** Mean negative log-likelihood of the true labels under p^(1/T), renormalised. */
export function negativeLogLikelihood(probs: readonly ArrayLike<number>[], labels: readonly number[], temperature = 1) {
  if (probs.length !== labels.length)
    throw new Error(`${probs.length} probability vectors but ${labels.length} labels`);
  if (probs.length === 0) return 0;
  const beta = 1 / temperature;
  let total = 0;
  probs.forEach((p, j) => {
    // −log softmax(β·log p)[y] = log Σ exp(β·log p_i) − β·log p_y, with the max taken out.
    let max = -Infinity;
    for (let i = 0; i < p.length; i++) max = Math.max(max, beta * Math.log(Math.max(FLOOR, p[i]!)));
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += Math.exp(beta * Math.log(Math.max(FLOOR, p[i]!)) - max);
    total += max + Math.log(sum) - beta * Math.log(Math.max(FLOOR, p[labels[j]!] ?? 0));
  });
  return total / probs.length;
}

export interface TemperatureFit {
  temperature: number;
  /** Mean negative log-likelihood on the faces fitted on, before and after. */
  nllBefore: number;
  nllAfter: number;
  n: number;
}

/** The range searched: from 20× sharper to 20× softer. */
const MIN_BETA = 1 / 20;
const MAX_BETA = 20;

/**
 * The temperature that minimises the mean negative log-likelihood of `labels` (class indexes) under
 * the served `probs`. The likelihood is convex in β = 1/T (a log-sum-exp of lines in β minus a line),
 * so a golden-section search over β finds the minimum; T is rounded to 4 decimals so it reads well
 * in metadata.json. Too few faces (< 20) give T = 1: no fit rather than a wild one.
 */
export function fitTemperature(probs: readonly ArrayLike<number>[], labels: readonly number[]): TemperatureFit {
  const nllBefore = negativeLogLikelihood(probs, labels, 1);
  if (probs.length < 20) return { temperature: 1, nllBefore, nllAfter: nllBefore, n: probs.length };
  const f = (beta: number) => negativeLogLikelihood(probs, labels, 1 / beta);
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(MIN_BETA);
  let hi = Math.log(MAX_BETA);
  // Searched on log β: the same convexity holds there for a unimodal search, and the steps scale.
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = f(Math.exp(a));
  let fb = f(Math.exp(b));
  for (let i = 0; i < 60 && hi - lo > 1e-6; i++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = f(Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = f(Math.exp(b));
    }
  }
  const temperature = Math.round((1 / Math.exp((lo + hi) / 2)) * 1e4) / 1e4;
  const nllAfter = negativeLogLikelihood(probs, labels, temperature);
  // Never worse than leaving the probabilities alone (rounding, a flat optimum).
  if (nllAfter > nllBefore) return { temperature: 1, nllBefore, nllAfter: nllBefore, n: probs.length };
  return { temperature, nllBefore, nllAfter, n: probs.length };
}

/**
 * Expected calibration error: faces binned by their top probability into `bins` equal-width bins,
 * the gap between each bin's accuracy and mean confidence, weighted by its share of faces.
 */
export function expectedCalibrationError(
  probs: readonly ArrayLike<number>[],
  labels: readonly number[],
  bins = 15,
): number {
  const n = probs.length;
  if (n === 0) return 0;
  const conf = new Float64Array(bins);
  const right = new Float64Array(bins);
  const count = new Float64Array(bins);
  probs.forEach((p, j) => {
    let top = 0;
    for (let i = 1; i < p.length; i++) if (p[i]! > p[top]!) top = i;
    const c = p[top]!;
    const bin = Math.min(bins - 1, Math.floor(c * bins));
    conf[bin]! += c;
    right[bin]! += top === labels[j] ? 1 : 0;
    count[bin]!++;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += Math.abs(right[b]! - conf[b]!) / n;
  return ece;
}
