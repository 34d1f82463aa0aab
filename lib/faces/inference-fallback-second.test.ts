import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeUpload } from "@/lib/images/decode";
import { loadModelFromDir } from "@/lib/model/predictor";
import { detectFaces } from "./detector";
import { detect, inferenceOnThread, predictImages } from "./inference";
import { extractFaces } from "./pipeline";

// A file of its own: once a thread fails to start, inference stays off the threads for the rest of
// the process. Here the detection thread runs and has work in flight when the model's thread fails
// to start (its entry is found from the working directory, which has none at that moment).
describe("a second inference thread that cannot start", () => {
  it("moves everything to the calling thread, the running thread's work in flight included", async () => {
    const decoded = await decodeUpload(
      await fs.readFile(path.resolve("node_modules/@vladmandic/face-api/demo/sample1.jpg")),
    );
    const expected = await detectFaces(decoded.rgb);
    const model = await loadModelFromDir(path.resolve("models/baseline"));
    const crops = (await extractFaces(decoded, { isFaceCrop: false })).map((f) => f.png);
    const expectedProbabilities = await model.predictImages(crops);
    expect(await detect(decoded.rgb)).toEqual(expected); // the detection thread runs

    const inFlight = [detect(decoded.rgb), detect(decoded.rgb), detect(decoded.rgb)];
    const home = process.cwd();
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), "el-no-thread-"));
    process.chdir(empty);
    let predicted: Promise<Float32Array[]>;
    try {
      predicted = predictImages(model, crops); // starts the model's thread: its entry is missing
    } finally {
      process.chdir(home);
    }
    expect(await Promise.all(inFlight)).toEqual([expected, expected, expected]);
    (await predicted).forEach((p, i) => p.forEach((v, j) => expect(v).toBeCloseTo(expectedProbabilities[i]![j]!, 6)));
    expect(inferenceOnThread()).toBe(false);
    expect(await detect(decoded.rgb)).toEqual(expected);
    model.dispose();
    await fs.rm(empty, { recursive: true, force: true });
  }, 120_000);
});
