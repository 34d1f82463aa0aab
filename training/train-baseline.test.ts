import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelMetadata } from "@/lib/model/metadata";
import { train } from "@/training/train-on-folder";
import { trainBaseline } from "@/training/train-baseline";
import { writeSyntheticImageFolder } from "@/test/support/synthetic-images";

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), "baseline-"));
  // FER2013's layout and alphabetical folder names, with synthetic faces.
  await writeSyntheticImageFolder(path.join(work, "fer", "train"), {
    perClass: 10,
    labels: ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"],
  });
  await writeSyntheticImageFolder(path.join(work, "fer", "test-public"), { perClass: 2, seed: 9 });
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

describe("trainBaseline", () => {
  it("installs baseline/ with test-set figures, keeps the version it replaces, and resumes when run again", async () => {
    const common = {
      dataRoot: path.join(work, "fer"),
      architecture: "tiny" as const,
      checkpointDir: path.join(work, "checkpoints"),
      modelsDir: path.join(work, "models"),
      log: () => {},
      onProgress: () => {},
    };
    await fs.mkdir(path.join(work, "models", "baseline"), { recursive: true });
    await fs.writeFile(path.join(work, "models", "baseline", "marker"), "old");
    const installed = await trainBaseline({ ...common, epochs: 2 });
    expect(installed).toBe(path.join(work, "models", "baseline"));
    const meta = await readModelMetadata(installed!);
    expect(meta.metrics).toMatchObject({ dataset: "fer2013/test-public", n: 14 });
    expect(meta.metrics).toHaveProperty("validation.n", 7);
    expect(meta.metrics).toHaveProperty("confusion");
    expect(await fs.readFile(path.join(work, "checkpoints", "version.previous", "marker"), "utf8")).toBe("old");
    // A later call with more epochs continues the same checkpoint instead of starting over.
    const lines: string[] = [];
    await trainBaseline({ ...common, epochs: 3, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith("resuming at epoch 3"))).toBe(true);
    expect((await readModelMetadata(installed!)).trainingConfig).toMatchObject({ epochsRun: 3 });
    expect((await readModelMetadata(installed!)).trainingConfig).not.toHaveProperty("interim");
  }, 60_000);

  it("installs the best checkpoint so far as an interim baseline without training, and training resumes after", async () => {
    const common = {
      dataRoot: path.join(work, "fer"),
      architecture: "tiny" as const,
      checkpointDir: path.join(work, "checkpoints-interim"),
      modelsDir: path.join(work, "models-interim"),
      log: () => {},
      onProgress: () => {},
    };
    await expect(trainBaseline({ ...common, epochs: 4, installBest: true })).rejects.toThrow(/no finished epoch/);
    // Two of four epochs, then a pause (as a stopped process leaves it).
    await train({
      data: path.join(work, "fer", "train"),
      architecture: "tiny",
      epochs: 4,
      batchSize: 16,
      seed: 2013,
      checkpointDir: common.checkpointDir,
      resume: true,
      out: path.join(common.checkpointDir, "version"),
      maxEpochsThisRun: 2,
      log: () => {},
      onProgress: () => {},
    });
    const installed = await trainBaseline({ ...common, epochs: 4, installBest: true });
    const meta = await readModelMetadata(installed!);
    expect(meta.name).toBe("baseline (interim)");
    expect(meta.trainingConfig).toMatchObject({
      epochsRun: 2,
      interim: expect.stringContaining("after 2 of up to 4 epochs"),
    });
    expect(meta.metrics).toMatchObject({ dataset: "fer2013/test-public", n: 14 });
    const lines: string[] = [];
    await trainBaseline({ ...common, epochs: 4, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith("resuming at epoch 3"))).toBe(true);
    expect((await readModelMetadata(installed!)).trainingConfig).toMatchObject({ epochsRun: 4 });
  }, 90_000);
});
