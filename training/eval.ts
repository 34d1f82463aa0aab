/**
 * `npm run eval -- --model <dir> --data <image-folder> [--json] [--tta none|flip|flip-shift] [--uncalibrated]`
 *
 * Scores a model version folder on `<data>/<label>/*.png|jpg` (folder names matched to the
 * model's labels case-insensitively) with the shared preprocessing, predicting as the app does
 * (metadata's test-time augmentation unless --tta overrides it). Prints a table, or with --json one
 * object: { accuracy, macro_f1, per_class, confusion, ece, n, test_time_augmentation, temperature,
 * ece_uncalibrated }. Probabilities go through the version's temperature (metadata.json) unless
 * --uncalibrated; ECE is given both ways.
 */
import { parseArgs } from "node:util";
import { evaluateModelOnFolder, formatMetricsTable } from "@/training/evaluate";
import { describeTestTimeAugmentation, parseTestTimeAugmentation } from "@/lib/model/metadata";
import { allowNativeAccelerator } from "@/lib/tf/backend";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      data: { type: "string" },
      json: { type: "boolean" },
      tta: { type: "string" },
      uncalibrated: { type: "boolean" },
    },
    strict: true,
  });
  if (!values.model || !values.data)
    throw new Error(
      "usage: npm run eval -- --model <dir> --data <image-folder> [--json] [--tta none|flip|flip-shift] [--uncalibrated]",
    );
  const override = values.tta === undefined ? undefined : parseTestTimeAugmentation(values.tta);
  const { metrics, labels, testTimeAugmentation, temperature, eceUncalibrated } = await evaluateModelOnFolder(
    values.model,
    values.data,
    { testTimeAugmentation: override, calibrated: !values.uncalibrated },
  );
  if (values.json) {
    const { accuracy, macro_f1, per_class, confusion, ece, n } = metrics;
    process.stdout.write(
      JSON.stringify({
        accuracy,
        macro_f1,
        per_class,
        confusion,
        ece,
        n,
        test_time_augmentation: testTimeAugmentation,
        temperature,
        ece_uncalibrated: eceUncalibrated,
      }) + "\n",
    );
  } else {
    console.log(
      `test-time augmentation: ${testTimeAugmentation} (${describeTestTimeAugmentation(testTimeAugmentation)})`,
    );
    console.log(
      temperature === 1
        ? "calibration: none (the model's own probabilities)"
        : `calibration: temperature ${temperature}; ECE ${(eceUncalibrated * 100).toFixed(2)}% before, ${(metrics.ece * 100).toFixed(2)}% after`,
    );
    console.log(formatMetricsTable(metrics, labels));
  }
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  allowNativeAccelerator();
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
