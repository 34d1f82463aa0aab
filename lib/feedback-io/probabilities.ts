/**
 * The previous tool logged only the top label and its confidence, not the model's full output.
 * Imported predictions get a stand-in vector: `confidence` at the predicted label and the rest
 * spread evenly over the other labels, so it sums to 1 and `probabilities[label] === confidence`
 * as for the app's own predictions. It says nothing about the runner-up: code that needs the real
 * distribution (calibration, margins for the queue) must not trust vectors of imported versions.
 */
export function spreadProbabilities(labels: readonly string[], label: string, confidence: number): number[] {
  const at = labels.indexOf(label);
  if (at < 0) throw new RangeError(`spreadProbabilities: "${label}" is not one of ${labels.join(", ")}`);
  if (!(confidence >= 0 && confidence <= 1))
    throw new RangeError(`spreadProbabilities: confidence ${confidence} is not in [0, 1]`);
  const rest = labels.length > 1 ? (1 - confidence) / (labels.length - 1) : 0;
  return labels.map((_, i) => (i === at ? confidence : rest));
}
