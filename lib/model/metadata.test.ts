import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMOTION_LABELS, parseModelMetadata, readModelMetadata, writeModelMetadata } from "@/lib/model/metadata";

const valid = { labels: [...EMOTION_LABELS], inputShape: [48, 48, 1], preprocessing: "unit" };

describe("model metadata", () => {
  it("accepts the minimal shape and keeps unknown fields", () => {
    const m = parseModelMetadata(
      { ...valid, futureField: { a: 1 }, metrics: { accuracy: 0.5, per_class: [] } },
      "test",
    );
    expect(m.labels).toEqual(EMOTION_LABELS);
    expect(m).toHaveProperty("futureField", { a: 1 });
    expect(m.metrics).toHaveProperty("per_class", []);
  });

  it.each([
    ["no labels", { ...valid, labels: undefined }, "labels"],
    ["duplicate labels", { ...valid, labels: ["a", "A"] }, "unique"],
    ["2 channels", { ...valid, inputShape: [48, 48, 2] }, "inputShape.2"],
    ["rank-2 input", { ...valid, inputShape: [48, 48] }, "inputShape"],
    ["unknown preprocessing", { ...valid, preprocessing: "imagenet" }, "preprocessing"],
    ["accuracy above 1", { ...valid, metrics: { accuracy: 63 } }, "metrics.accuracy"],
  ])("rejects %s with a message naming the field", (_name, value, field) => {
    expect(() => parseModelMetadata(value, "/m/metadata.json")).toThrow(
      new RegExp(`/m/metadata.json[\\s\\S]*${field.replace(".", "\\.")}`),
    );
  });

  it("round-trips through a folder and explains a missing or broken file", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "meta-"));
    await expect(readModelMetadata(dir)).rejects.toThrow(/No metadata.json in model folder/);
    await writeModelMetadata(dir, parseModelMetadata({ ...valid, parent: null, name: "v1" }, "t"));
    expect(await readModelMetadata(dir)).toMatchObject({ name: "v1", parent: null, inputShape: [48, 48, 1] });
    await fs.writeFile(path.join(dir, "metadata.json"), "{ not json");
    await expect(readModelMetadata(dir)).rejects.toThrow(/not valid JSON/);
    await fs.rm(dir, { recursive: true });
  });
});
