import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env/env";
import { checksumDir } from "@/lib/registry/checksum";
import { ensureBaselineRegistered } from "@/lib/registry/model-versions";
import { useTestDb } from "@/test/support/use-test-db";
import { createTinyModelDir } from "@/test/support/tiny-model";

const t = useTestDb();
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-models-"));
const baseline = path.join(modelsDir, "baseline");

beforeAll(() => {
  vi.stubEnv("MODELS_DIR", modelsDir);
  resetEnvForTests();
});
afterAll(() => {
  vi.unstubAllEnvs();
  resetEnvForTests();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

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
