import { describe, expect, it } from "vitest";
import { DETECTOR_FILES, faceBoxes, MAX_FACES, TINY_TO_SSD_BOX, toFaceBox } from "./detector-settings";

describe("toFaceBox", () => {
  it("keeps SSD's boxes and maps the Tiny detector's onto SSD's framing (narrower, centred higher)", () => {
    const box = { x: 100, y: 200, width: 100, height: 80 };
    expect(toFaceBox("ssd", box)).toEqual(box);
    const m = toFaceBox("tiny", box);
    expect(m.width).toBeCloseTo(100 * TINY_TO_SSD_BOX.width, 9);
    expect(m.height).toBeCloseTo(80 * TINY_TO_SSD_BOX.height, 9);
    expect(m.x + m.width / 2).toBeCloseTo(150 + 100 * TINY_TO_SSD_BOX.dx, 9);
    expect(m.y + m.height / 2).toBeCloseTo(240 + 80 * TINY_TO_SSD_BOX.dy, 9);
  });
});

describe("faceBoxes", () => {
  it("keeps the MAX_FACES highest scores, clipped to the image, dropping what falls outside", () => {
    const many = Array.from({ length: MAX_FACES + 5 }, (_, i) => ({
      box: { x: i, y: 0, width: 10, height: 10 },
      score: (i + 1) / (MAX_FACES + 10),
    }));
    const kept = faceBoxes("ssd", many, 1000, 1000);
    expect(kept).toHaveLength(MAX_FACES);
    expect(Math.min(...kept.map((b) => b.score))).toBeCloseTo(6 / (MAX_FACES + 10), 9);

    const edge = faceBoxes(
      "ssd",
      [
        { box: { x: -5, y: 90, width: 20, height: 20 }, score: 0.9 },
        { box: { x: 200, y: 200, width: 20, height: 20 }, score: 0.8 },
      ],
      100,
      100,
    );
    expect(edge).toEqual([{ x: 0, y: 90, width: 15, height: 10, score: 0.9 }]);
  });
});

describe("the detector settings", () => {
  it("list both detectors' files, and nothing else, for the live view", () => {
    expect([...DETECTOR_FILES].sort()).toEqual([
      "ssd_mobilenetv1_model-weights_manifest.json",
      "ssd_mobilenetv1_model.bin",
      "tiny_face_detector_model-weights_manifest.json",
      "tiny_face_detector_model.bin",
    ]);
  });
});
