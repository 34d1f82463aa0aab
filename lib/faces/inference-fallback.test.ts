import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeUpload } from "@/lib/images/decode";
import { detectFaces } from "./detector";
import { detect, inferenceOnThread } from "./inference";

// A file of its own: the thread is one per process, and this one must fail to start. Its entry is
// found from the working directory, so the first request is made from a folder that has none.
describe("an inference thread that cannot start", () => {
  it("leaves detection on the calling thread, with the same answers, from then on", async () => {
    const { rgb } = await decodeUpload(
      await fs.readFile(path.resolve("node_modules/@vladmandic/face-api/demo/sample1.jpg")),
    );
    const expected = await detectFaces(rgb);
    expect(inferenceOnThread()).toBe(true);

    const home = process.cwd();
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), "el-no-thread-"));
    process.chdir(empty);
    let answer: Promise<unknown>;
    try {
      answer = detect(rgb); // starts the thread from <empty>/lib/faces/inference-thread.mjs: missing
    } finally {
      process.chdir(home);
    }
    expect(await answer).toEqual(expected);
    expect(inferenceOnThread()).toBe(false);
    expect(await detect(rgb)).toEqual(expected);
    await fs.rm(empty, { recursive: true, force: true });
  }, 120_000);
});
