/**
 * `npm run calibrate -- --model <dir> --data <image-folder> [--all] [--write] [--json]`
 *
 * Fits the temperature that calibrates a version's served probabilities (with its test-time
 * augmentation) on faces it never trained on, and with --write stores it in its metadata.json
 * (`temperature`, and `calibration` with the faces' NLL and ECE before and after).
 *
 * Which faces: by default the validation split the version was trained with, rebuilt from its
 * metadata (`trainingConfig.valFraction` and `seed`, the same stratified split over the same
 * folder, checked against `dataFingerprint`); with --all, every face of `--data` (a held-out set of
 * your own — never the test set you report figures on).
 */
import { parseArgs } from "node:util";
import path from "node:path";
import { readModelMetadata, resizeFilterOf, writeModelMetadata } from "@/lib/model/metadata";
import { loadModelFromDir } from "@/lib/model/predictor";
import { applyTemperature, expectedCalibrationError, fitTemperature } from "@/lib/model/calibration";
import { allowNativeAccelerator } from "@/lib/tf/backend";
import { dataFingerprint, loadImageFolder, sampleInput, stratifiedSplit } from "@/training/dataset";

const USAGE = "usage: npm run calibrate -- --model <dir> --data <image-folder> [--all] [--write] [--json]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      data: { type: "string" },
      all: { type: "boolean" },
      write: { type: "boolean" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  if (!values.model || !values.data) throw new Error(USAGE);
  const meta = await readModelMetadata(values.model);
  const ds = await loadImageFolder(path.resolve(values.data), {
    labels: meta.labels,
    inputShape: meta.inputShape,
    resizeFilter: resizeFilterOf(meta),
  });
  let indices: number[];
  let fittedOn: string;
  if (values.all) {
    indices = ds.samples.map((_, i) => i);
    fittedOn = `every face of ${path.basename(path.resolve(values.data))} (${indices.length})`;
  } else {
    const cfg = meta.trainingConfig as { valFraction?: unknown; seed?: unknown } | undefined;
    if (typeof cfg?.valFraction !== "number" || typeof cfg?.seed !== "number") {
      throw new Error(
        "the version's metadata names no validation split (trainingConfig.valFraction and seed); pass --all with a held-out folder",
      );
    }
    const fingerprint = dataFingerprint(ds.samples, meta.labels);
    if (meta.dataFingerprint && meta.dataFingerprint !== fingerprint) {
      throw new Error(`${values.data} is not the folder the version was trained on (data fingerprint differs)`);
    }
    indices = [...stratifiedSplit(ds.samples, cfg.valFraction, cfg.seed).val];
    fittedOn = `validation split (${Math.round(cfg.valFraction * 100)}%, seed ${cfg.seed}) of ${path.basename(path.resolve(values.data))} (${indices.length} faces)`;
  }
  const model = await loadModelFromDir(values.model, { calibrated: false });
  let probs: Float32Array[];
  try {
    probs = await model.predict(indices.map((i) => sampleInput(ds, i, meta.preprocessing)));
  } finally {
    model.dispose();
  }
  const truth = indices.map((i) => ds.samples[i]?.label ?? 0);
  const fitted = fitTemperature(probs, truth);
  const calibration = {
    temperature: fitted.temperature,
    fitted_on: fittedOn,
    n: fitted.n,
    nll_before: fitted.nllBefore,
    nll_after: fitted.nllAfter,
    ece_before: expectedCalibrationError(probs, truth),
    ece_after: expectedCalibrationError(
      probs.map((p) => applyTemperature(p, fitted.temperature)),
      truth,
    ),
  };
  if (values.write) {
    const { temperature: _old, ...rest } = meta;
    await writeModelMetadata(values.model, {
      ...rest,
      ...(fitted.temperature === 1 ? {} : { temperature: fitted.temperature }),
      calibration,
    });
  }
  if (values.json) process.stdout.write(JSON.stringify(calibration) + "\n");
  else {
    console.log(`fitted on: ${fittedOn}; test-time augmentation ${model.testTimeAugmentation}`);
    console.log(`temperature ${fitted.temperature}`);
    console.log(`NLL ${fitted.nllBefore.toFixed(4)} → ${fitted.nllAfter.toFixed(4)}`);
    console.log(
      `ECE ${(calibration.ece_before * 100).toFixed(2)}% → ${(calibration.ece_after * 100).toFixed(2)}% (15 bins)`,
    );
    console.log(
      values.write ? `written to ${path.join(values.model, "metadata.json")}` : "not written (--write to store it)",
    );
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
