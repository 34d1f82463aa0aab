/** Classification figures for one model on one labelled set. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalMetrics {
  n: number;
  accuracy: number;
  macro_f1: number;
  per_class: Record<string, ClassMetrics>;
  /** confusion[true][predicted], both in label order. */
  confusion: number[][];
  /** Expected calibration error over 10 equal-width confidence bins. */
  ece: number;
}

/**
 * @param labels class names in the model's output order
 * @param truth true class index per sample
 * @param probs probability vector per sample (labels.length long)
 */
export function computeMetrics(
  labels: readonly string[],
  truth: readonly number[],
  probs: readonly ArrayLike<number>[],
): EvalMetrics {
  if (truth.length !== probs.length) throw new Error(`${truth.length} labels for ${probs.length} predictions`);
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, correct: 0 }));
  let correct = 0;
  truth.forEach((t, i) => {
    const p = probs[i]!;
    let best = 0;
    for (let j = 1; j < k; j++) if ((p[j] ?? 0) > (p[best] ?? 0)) best = j;
    const row = confusion[t];
    if (!row) throw new Error(`label index ${t} out of range`);
    row[best] = (row[best] ?? 0) + 1;
    const hit = best === t ? 1 : 0;
    correct += hit;
    const conf = p[best] ?? 0;
    const bin = bins[Math.min(9, Math.floor(conf * 10))]!;
    bin.n += 1;
    bin.conf += conf;
    bin.correct += hit;
  });
  const n = truth.length;
  const per_class: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  let f1Count = 0;
  labels.forEach((label, j) => {
    const tp = confusion[j]![j]!;
    const support = confusion[j]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[j]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    per_class[label] = { precision, recall, f1, support };
    // Macro-F1 over the classes present in the set (truth or prediction), as scikit-learn does
    // with labels=None: a class absent from both says nothing about the model.
    if (support > 0 || predicted > 0) {
      f1Sum += f1;
      f1Count += 1;
    }
  });
  const ece = n ? bins.reduce((a, b) => a + (b.n ? Math.abs(b.conf / b.n - b.correct / b.n) * b.n : 0), 0) / n : 0;
  return { n, accuracy: n ? correct / n : 0, macro_f1: f1Count ? f1Sum / f1Count : 0, per_class, confusion, ece };
}
