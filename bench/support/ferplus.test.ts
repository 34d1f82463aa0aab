import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { dropSeenFromHoldout, ferPlusMajority, loadLabeledFaces, splitStreamHoldout, type FaceRecord } from "./ferplus";

// Columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF
describe("ferPlusMajority", () => {
  it.each([
    [[0, 9, 1, 0, 0, 0, 0, 0, 0, 0], { label: "happy", column: "happiness" }],
    [[1, 0, 0, 6, 2, 0, 0, 0, 1, 0], { label: "sad", column: "sadness" }],
    [[0, 0, 0, 0, 5, 2, 0, 0, 3, 0], { label: "angry", column: "anger" }],
    [[6, 0, 0, 0, 0, 0, 0, 4, 0, 0], { label: "neutral", column: "neutral" }],
    [[2, 0, 0, 0, 0, 1, 0, 5, 2, 0], { label: "disgust", column: "contempt" }],
    [[4, 0, 0, 4, 0, 0, 0, 0, 2, 0], { label: null, skip: "tie" }],
    [[1, 0, 0, 0, 0, 0, 0, 0, 6, 3], { label: null, skip: "unknown" }],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 10], { label: null, skip: "NF" }],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0], { label: null, skip: "no-votes" }],
  ])("%j → %j", (votes, expected) => {
    expect(ferPlusMajority(votes)).toEqual(expected);
  });

  it("refuses a row with the wrong number of columns", () => {
    expect(() => ferPlusMajority([1, 2, 3])).toThrow(/10 vote counts/);
  });
});

describe("splitStreamHoldout", () => {
  const faces: FaceRecord[] = EMOTION_LABELS.flatMap((label, k) =>
    Array.from({ length: 10 * (k + 1) }, (_, i) => ({
      key: `${label}/${String(i).padStart(3, "0")}.jpg`,
      file: `/x/${label}/${i}.jpg`,
      original: label,
      ferplus: { label: null, skip: "tie" as const },
    })),
  );

  it("holds out the same share of every class, disjoint from the stream, and is seeded", () => {
    const a = splitStreamHoldout(faces, 0.3, 1);
    for (const [k, label] of EMOTION_LABELS.entries()) {
      expect(a.holdout.filter((f) => f.original === label)).toHaveLength(Math.round(10 * (k + 1) * 0.3));
    }
    const held = new Set(a.holdout.map((f) => f.key));
    expect(a.stream.some((f) => held.has(f.key))).toBe(false);
    expect(a.stream.length + a.holdout.length).toBe(faces.length);
    // Same seed, any input order → same split and stream order; another seed → another one.
    expect(splitStreamHoldout([...faces].reverse(), 0.3, 1)).toEqual(a);
    expect(splitStreamHoldout(faces, 0.3, 2).stream.map((f) => f.key)).not.toEqual(a.stream.map((f) => f.key));
    // The stream mixes the classes rather than running through them one by one.
    expect(new Set(a.stream.slice(0, 20).map((f) => f.original)).size).toBeGreaterThan(2);
  });
});

describe("loadLabeledFaces", () => {
  it("joins images to FER+ votes through the mapping file, keeping unlabelled ones as skipped", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ferplus-"));
    try {
      const data = path.join(dir, "fer2013", "test-public");
      for (const [cls, file] of [
        ["happy", "PublicTest_1.jpg"],
        ["sad", "PublicTest_2.jpg"],
        ["sad", "PublicTest_3.jpg"],
      ] as const) {
        fs.mkdirSync(path.join(data, cls), { recursive: true });
        fs.writeFileSync(path.join(data, cls, file), "");
      }
      const mapping = path.join(dir, "fer2013", "ferplus-mapping.csv");
      fs.writeFileSync(
        mapping,
        "fer2013_row,Usage,ferplus_image,path,emotion,label_ambiguous_duplicate,match_rmse\n" +
          "1,PublicTest,fer01.png,test-public/happy/PublicTest_1.jpg,3,0,1.7\n" +
          "2,PublicTest,fer02.png,test-public/sad/PublicTest_2.jpg,4,0,1.7\n" +
          ",PublicTest,,test-public/sad/PublicTest_3.jpg,4,,\n",
      );
      const ferplus = path.join(dir, "fer2013new.csv");
      fs.writeFileSync(
        ferplus,
        "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n" +
          "PublicTest,fer01.png,1,8,1,0,0,0,0,0,0,0\n" +
          "PublicTest,fer02.png,7,0,0,3,0,0,0,0,0,0\n",
      );
      const faces = await loadLabeledFaces({ dataDir: data, mappingCsv: mapping, ferplusCsv: ferplus });
      expect(faces.map((f) => [f.key, f.original, f.ferplus])).toEqual([
        ["happy/PublicTest_1.jpg", "happy", { label: "happy", column: "happiness" }],
        ["sad/PublicTest_2.jpg", "sad", { label: "neutral", column: "neutral" }],
        ["sad/PublicTest_3.jpg", "sad", { label: null, skip: "no-ferplus-row" }],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("dropSeenFromHoldout", () => {
  it("drops held-out faces whose exact image is in the stream or in the training folder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seen-"));
    try {
      const write = (rel: string, content: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
        return path.join(dir, rel);
      };
      const face = (key: string, content: string): FaceRecord => ({
        key,
        file: write(`test/${key}`, content),
        original: "sad",
        ferplus: { label: "sad", column: "sadness" },
      });
      write("train/sad/Training_1.jpg", "pixels A");
      const holdout = [face("sad/a.jpg", "pixels A"), face("sad/b.jpg", "pixels B"), face("sad/c.jpg", "pixels C")];
      const stream = [face("sad/d.jpg", "pixels B")];
      const out = await dropSeenFromHoldout(holdout, stream, path.join(dir, "train"));
      expect(out.holdout.map((f) => f.key)).toEqual(["sad/c.jpg"]);
      expect(out).toMatchObject({ inStream: 1, inTrain: 1 });
      expect((await dropSeenFromHoldout(holdout, [], null)).holdout).toHaveLength(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
