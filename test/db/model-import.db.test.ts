import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/metadata";
import { checksumDir } from "@/lib/registry/checksum";
import { presentVersion } from "@/lib/registry/present";
import { registerImportedModel } from "@/scripts/import-model";
import { importKerasModel } from "@/training/keras-import/import-model";
import { useEnv } from "@/test/support/env";
import { useTestDb } from "@/test/support/use-test-db";
import { createTinyModelDir } from "@/test/support/tiny-model";

const t = useTestDb();
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-models-"));
const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "el-elsewhere-"));

useEnv({ MODELS_DIR: modelsDir });
afterAll(() => {
  fs.rmSync(modelsDir, { recursive: true, force: true });
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

describe("model:import --register", () => {
  it("adds the imported folder as a checksummed CANDIDATE with an audit row, leaving the active version alone", async () => {
    const source = await createTinyModelDir(path.join(elsewhere, "keras-export"), { seed: 3 });
    const active = await t.db.modelVersion.create({
      data: {
        version: 1,
        name: "baseline",
        status: "ACTIVE",
        artifactPath: "versions/baseline",
        checksum: "x",
        labels: [...EMOTION_LABELS],
        metadata: {},
      },
    });
    const out = path.join(modelsDir, "versions", "import-keras-export");
    await importKerasModel({
      source,
      labels: EMOTION_LABELS.join(","),
      preprocessing: "unit",
      testTimeAugmentation: "flip-shift",
      out,
    });

    const v = await registerImportedModel(t.db, out);
    expect(v).toMatchObject({
      version: 2,
      status: "CANDIDATE",
      artifactPath: "versions/import-keras-export",
      name: "import keras-export",
    });
    expect(v.checksum).toBe(await checksumDir(out));
    expect(v.labels).toEqual([...EMOTION_LABELS]);
    expect(await t.db.modelVersion.findUniqueOrThrow({ where: { id: active.id } })).toMatchObject({ status: "ACTIVE" });
    const audit = await t.db.auditLog.findFirst({ where: { action: "model.register", targetId: String(v.id) } });
    expect(audit).not.toBeNull();
    // The API shows how each version forms its probabilities; one without the key serves plain.
    expect(presentVersion(v).test_time_augmentation).toBe("flip-shift");
    expect(presentVersion(active).test_time_augmentation).toBe("none");
    // An import resizes as Keras did (bilinear); a version that names no filter keeps sharp's lanczos3.
    expect(presentVersion(v).resize_filter).toBe("bilinear");
    expect(presentVersion(active).resize_filter).toBe("lanczos3");
  });

  it("refuses a folder outside MODELS_DIR and registers nothing", async () => {
    const outside = await createTinyModelDir(path.join(elsewhere, "outside"), { seed: 4 });
    const before = await t.db.modelVersion.count();
    await expect(registerImportedModel(t.db, outside)).rejects.toThrow(/inside MODELS_DIR/);
    await expect(registerImportedModel(t.db, modelsDir)).rejects.toThrow(/inside MODELS_DIR/);
    expect(await t.db.modelVersion.count()).toBe(before);
  });
});
