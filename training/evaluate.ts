import { resizeFilterOf, type TestTimeAugmentation } from "@/lib/model/metadata";
import { loadModelFromDir, type LoadOptions } from "@/lib/model/predictor";
import { applyTemperature } from "@/lib/model/calibration";
import { computeMetrics, type EvalMetrics } from "@/training/metrics";
import { loadImageFolder, sampleInput } from "@/training/dataset";

/**
 * Scores a saved model on an image folder (`<root>/<label>/*`), decoding with the shared
 * preprocessing and the model's own metadata (labels, input shape, scaling, test-time
 * augmentation — the probabilities the app would serve for each face). The figures are
 * training/metrics.ts's: accuracy, macro-F1, per-class precision/recall/F1, confusion, ECE.
 * @returns the figures, with the model's labels and the test-time augmentation they were scored with.
 */
export async function evaluateModelOnFolder(
  modelDir: string,
  dataDir: string,
  options: LoadOptions = {},
): Promise<{
  metrics: EvalMetrics;
  labels: string[];
  testTimeAugmentation: TestTimeAugmentation;
  /** The temperature the figures were served with (1: none), and the ECE without it. */
  temperature: number;
  eceUncalibrated: number;
}> {
  // Loaded without its temperature, applied here: the same forward passes give both ECEs.
  const model = await loadModelFromDir(modelDir, { ...options, calibrated: false });
  const temperature = options.calibrated === false ? 1 : (model.metadata.temperature ?? 1);
  try {
    const { labels, inputShape, preprocessing } = model.metadata;
    const ds = await loadImageFolder(dataDir, { labels, inputShape, resizeFilter: resizeFilterOf(model.metadata) });
    const raw = await model.predict(ds.samples.map((_, i) => sampleInput(ds, i, preprocessing)));
    const truth = ds.samples.map((s) => s.label);
    const served = temperature === 1 ? raw : raw.map((p) => applyTemperature(p, temperature));
    return {
      metrics: computeMetrics(labels, truth, served),
      labels,
      testTimeAugmentation: model.testTimeAugmentation,
      temperature,
      eceUncalibrated: computeMetrics(labels, truth, raw).ece,
    };
  } finally {
    model.dispose();
  }
}

/** A fixed-width text table: summary line, per-class scores, confusion matrix (rows = truth). */
export function formatMetricsTable(m: EvalMetrics, labels: readonly string[]): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`.padStart(8);
  const width = Math.max(8, ...labels.map((l) => l.length)) + 2;
  const cls = (l: string) => m.per_class[l] ?? { precision: 0, recall: 0, f1: 0, support: 0 };
  return [
    `n ${m.n}   accuracy ${(m.accuracy * 100).toFixed(2)}%   macro-F1 ${(m.macro_f1 * 100).toFixed(2)}%   ECE ${(m.ece * 100).toFixed(2)}%`,
    "",
    `${"class".padEnd(width)}precision   recall       F1   support`,
    ...labels.map(
      (l) =>
        `${l.padEnd(width)} ${pct(cls(l).precision)} ${pct(cls(l).recall)} ${pct(cls(l).f1)} ${String(cls(l).support).padStart(9)}`,
    ),
    "",
    "confusion (rows = true, columns = predicted)",
    `${"".padEnd(width)}${labels.map((l) => l.slice(0, 8).padStart(9)).join("")}`,
    ...m.confusion.map(
      (row, i) => `${(labels[i] ?? "").padEnd(width)}${row.map((v) => String(v).padStart(9)).join("")}`,
    ),
  ].join("\n");
}
