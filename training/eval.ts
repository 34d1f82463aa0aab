/**
 * `npm run eval -- --model <dir> --data <image-folder> [--json] [--tta none|flip|flip-shift]`
 *
 * Scores a model version folder on `<data>/<label>/*.png|jpg` (folder names matched to the
 * model's labels case-insensitively) with the shared preprocessing, predicting as the app does
 * (metadata's test-time augmentation unless --tta overrides it). Prints a table, or with --json one
 * object: { accuracy, macro_f1, per_class, confusion, ece, n, test_time_augmentation }.
 */
import { parseArgs } from "node:util";
import { evaluateModelOnFolder, formatMetricsTable } from "@/training/evaluate";
import { describeTestTimeAugmentation, readModelMetadata, TEST_TIME_AUGMENTATION_MODES, type TestTimeAugmentation } from "@/lib/model/metadata";
import { allowNativeAccelerator } from "@/lib/tf/backend";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: "string" }, data: { type: "string" }, json: { type: "boolean" }, tta: { type: "string" } },
    strict: true,
  });
  if (!values.model || !values.data) throw new Error("usage: npm run eval -- --model <dir> --data <image-folder> [--json] [--tta none|flip|flip-shift]");
  const override = values.tta;
  if (override !== undefined && !(TEST_TIME_AUGMENTATION_MODES as readonly string[]).includes(override)) {
    throw new Error(`--tta must be one of ${TEST_TIME_AUGMENTATION_MODES.join(", ")}`);
  }
  const meta = await readModelMetadata(values.model);
  const tta = (override ?? meta.testTimeAugmentation ?? "none") as TestTimeAugmentation;
  const metrics = await evaluateModelOnFolder(values.model, values.data, { testTimeAugmentation: tta });
  if (values.json) {
    const { accuracy, macro_f1, per_class, confusion, ece, n } = metrics;
    process.stdout.write(JSON.stringify({ accuracy, macro_f1, per_class, confusion, ece, n, test_time_augmentation: tta }) + "\n");
  } else {
    console.log(`test-time augmentation: ${describeTestTimeAugmentation(tta)}`);
    console.log(formatMetricsTable(metrics, meta.labels));
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
