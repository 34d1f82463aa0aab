// What a stored prediction records of the model's probability vector (uploads, video frames, imports).

/** Top-1 minus top-2 probability, as `Prediction.margin` defines it. */
export function topMargin(probabilities: readonly number[]): number {
  const [first = 0, second = 0] = [...probabilities].sort((a, b) => b - a);
  return first - second;
}

/**
 * What a stored prediction records of a probability vector: the top label (the first of equal
 * highest), its probability, and the margin over the runner-up (topMargin).
 */
export function topPrediction(
  probabilities: readonly number[],
  labels: readonly string[],
): { label: string; confidence: number; margin: number } {
  if (probabilities.length === 0) throw new Error("the model returned no probabilities");
  let top = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[top]!) top = i;
  const confidence = probabilities[top]!;
  return { label: labels[top] ?? String(top), confidence, margin: topMargin(probabilities) };
}
