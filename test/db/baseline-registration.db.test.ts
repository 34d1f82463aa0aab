import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env/env";
import { checksumDir } from "@/lib/registry/checksum";
import {
  ensureBaselineRegistered,
  moveIntoPlace,
  shippedBaselineDir,
  unusedVersionFolder,
} from "@/lib/registry/model-versions";
import { useEnv } from "@/test/support/env";
import { useTestDb } from "@/test/support/use-test-db";
import { createTinyModelDir } from "@/test/support/tiny-model";

const t = useTestDb();
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-models-"));
const baseline = path.join(modelsDir, "baseline");

useEnv({ MODELS_DIR: modelsDir, BASELINE_DIR: baseline });
afterAll(() => fs.rmSync(modelsDir, { recursive: true, force: true }));

describe("the shipped baseline", () => {
  it("registers as an immutable active version 1, once; a newer shipped baseline becomes a candidate", async () => {
    expect(await ensureBaselineRegistered(t.db)).toBeNull(); // nothing shipped yet
    await createTinyModelDir(baseline, { seed: 1 });
    const v1 = (await ensureBaselineRegistered(t.db))!;
    expect(v1).toMatchObject({ version: 1, status: "ACTIVE" });
    expect(v1.artifactPath).toMatch(/^versions\/baseline-[0-9a-f]{12}$/);
    expect(await checksumDir(path.join(modelsDir, v1.artifactPath))).toBe(v1.checksum);
    expect(await ensureBaselineRegistered(t.db)).toBeNull(); // unchanged: nothing new

    // A release ships a better baseline: the folder changes, version 1's copy does not.
    fs.rmSync(baseline, { recursive: true });
    await createTinyModelDir(baseline, { seed: 2 });
    const v2 = (await ensureBaselineRegistered(t.db))!;
    expect(v2).toMatchObject({ version: 2, status: "CANDIDATE" });
    expect(v2.checksum).not.toBe(v1.checksum);
    expect(await checksumDir(path.join(modelsDir, v1.artifactPath))).toBe(v1.checksum);
    const active = await t.db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
    expect(active.id).toBe(v1.id);
  });
});

describe("version folders on a MODELS_DIR another database used before", () => {
  it("a folder of the same name with other contents is left alone and the baseline gets a new one", async () => {
    fs.rmSync(baseline, { recursive: true, force: true });
    await createTinyModelDir(baseline, { seed: 3 });
    const name = `baseline-${(await checksumDir(baseline)).slice(0, 12)}`;
    // Tried: a folder of that name holding something else (left by another database, or edited by hand).
    const squatter = path.join(modelsDir, "versions", name);
    fs.mkdirSync(squatter, { recursive: true });
    fs.writeFileSync(path.join(squatter, "note.txt"), "not this model");
    const v = (await ensureBaselineRegistered(t.db))!;
    expect(v.artifactPath).toMatch(new RegExp(`^versions/${name}-[0-9a-f]{6}$`));
    expect(await checksumDir(path.join(modelsDir, v.artifactPath))).toBe(v.checksum);
    expect(fs.readdirSync(squatter)).toEqual(["note.txt"]);
  });

  it("never names two folders alike, and never moves a folder onto an existing one (even an empty one)", async () => {
    const names = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const rel = await unusedVersionFolder("job-1");
      expect(rel).toMatch(/^versions\/job-1-[0-9a-f]{6}$/);
      fs.mkdirSync(path.join(modelsDir, rel), { recursive: true });
      names.add(rel);
    }
    expect(names.size).toBe(50);
    const from = fs.mkdtempSync(path.join(modelsDir, "from-"));
    fs.writeFileSync(path.join(from, "model.json"), "{}");
    const existing = path.join(modelsDir, [...names][0]!);
    await expect(moveIntoPlace(from, existing)).rejects.toThrow(/never overwritten/);
    expect(fs.readdirSync(existing)).toEqual([]);
    expect(fs.existsSync(path.join(from, "model.json"))).toBe(true);
  });
});

describe("the shipped baseline with MODELS_DIR elsewhere", () => {
  it("is the project's own models/baseline when MODELS_DIR has none and BASELINE_DIR is unset", () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "el-models-elsewhere-"));
    vi.stubEnv("MODELS_DIR", elsewhere);
    vi.stubEnv("BASELINE_DIR", "");
    resetEnvForTests();
    try {
      expect(shippedBaselineDir()).toBe(path.resolve("models", "baseline"));
      expect(fs.existsSync(path.join(shippedBaselineDir(), "model.json"))).toBe(true);
      // A model an operator put into MODELS_DIR/baseline wins over the project's.
      fs.mkdirSync(path.join(elsewhere, "baseline"));
      fs.writeFileSync(path.join(elsewhere, "baseline", "model.json"), "{}");
      expect(shippedBaselineDir()).toBe(path.join(elsewhere, "baseline"));
    } finally {
      vi.stubEnv("MODELS_DIR", modelsDir);
      vi.stubEnv("BASELINE_DIR", baseline);
      resetEnvForTests();
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
