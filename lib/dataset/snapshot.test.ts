import { describe, expect, it } from "vitest";
import { buildSnapshot, type ReviewedRow } from "@/lib/dataset/snapshot";

let nextId = 1;
function row(p: Partial<ReviewedRow> & Pick<ReviewedRow, "cropSha256" | "reviewerId" | "label">): ReviewedRow {
  const id = nextId++;
  return { reviewId: id, faceId: id, cropPath: `${p.cropSha256}.png`, at: new Date(2026, 0, 1, 0, 0, id), ...p };
}
const none = new Set<string>();

describe("buildSnapshot", () => {
  it("takes the majority label across reviewers", () => {
    const s = buildSnapshot(
      [
        row({ cropSha256: "a", reviewerId: 1, label: "sad" }),
        row({ cropSha256: "a", reviewerId: 2, label: "sad" }),
        row({ cropSha256: "a", reviewerId: 3, label: "fear" }),
      ],
      { goldenHashes: none, holdoutFraction: 0 },
    );
    expect(s.items).toEqual([expect.objectContaining({ cropSha256: "a", label: "sad" })]);
    expect(s.items[0]?.reviewIds).toHaveLength(3);
  });

  it("leaves out ties", () => {
    const s = buildSnapshot(
      [
        row({ cropSha256: "a", reviewerId: 1, label: "sad" }),
        row({ cropSha256: "a", reviewerId: 2, label: "fear" }),
        row({ cropSha256: "b", reviewerId: 1, label: "happy" }),
      ],
      { goldenHashes: none, holdoutFraction: 0 },
    );
    expect(s.items.map((i) => i.cropSha256)).toEqual(["b"]);
    expect(s.excluded.ties).toBe(1);
  });

  it("counts each reviewer once, with their last verdict", () => {
    const s = buildSnapshot(
      [
        row({ cropSha256: "a", reviewerId: 1, label: "fear", at: new Date(2026, 0, 1) }),
        row({ cropSha256: "a", reviewerId: 1, label: "sad", at: new Date(2026, 0, 2) }),
        row({ cropSha256: "a", reviewerId: 2, label: "fear", at: new Date(2026, 0, 1) }),
        row({ cropSha256: "a", reviewerId: 3, label: "sad", at: new Date(2026, 0, 1) }),
      ],
      { goldenHashes: none, holdoutFraction: 0 },
    );
    // Reviewer 1 changed fear → sad: sad 2, fear 1 (not a 2–2 tie).
    expect(s.items).toEqual([expect.objectContaining({ label: "sad" })]);
    expect(s.items[0]?.reviewIds).toHaveLength(3);
  });

  it("de-duplicates faces by crop hash", () => {
    const s = buildSnapshot(
      [
        row({ cropSha256: "a", reviewerId: 1, label: "happy" }),
        row({ cropSha256: "a", reviewerId: 2, label: "happy" }),
        row({ cropSha256: "b", reviewerId: 1, label: "sad" }),
      ],
      { goldenHashes: none, holdoutFraction: 0 },
    );
    expect(s.items).toHaveLength(2);
    expect(s.excluded.duplicateFaces).toBe(1);
  });

  it("keeps golden faces out of training", () => {
    const s = buildSnapshot(
      [row({ cropSha256: "a", reviewerId: 1, label: "happy" }), row({ cropSha256: "g", reviewerId: 1, label: "sad" })],
      { goldenHashes: new Set(["g"]), holdoutFraction: 0 },
    );
    expect(s.items.map((i) => i.cropSha256)).toEqual(["a"]);
    expect(s.golden.map((i) => [i.cropSha256, i.label])).toEqual([["g", "sad"]]);
  });

  it("holds out a stratified, seeded slice of each class and never a class's only face", () => {
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => row({ cropSha256: `h${i}`, reviewerId: 1, label: "happy" })),
      ...Array.from({ length: 5 }, (_, i) => row({ cropSha256: `s${i}`, reviewerId: 1, label: "sad" })),
      row({ cropSha256: "d0", reviewerId: 1, label: "disgust" }),
    ];
    const a = buildSnapshot(rows, { goldenHashes: none, holdoutFraction: 0.2, seed: "job-1" });
    const held = (label: string) => a.items.filter((i) => i.label === label && i.holdout).length;
    expect([held("happy"), held("sad"), held("disgust")]).toEqual([2, 1, 0]);
    const b = buildSnapshot(rows, { goldenHashes: none, holdoutFraction: 0.2, seed: "job-1" });
    expect(b.hash).toBe(a.hash);
    const c = buildSnapshot(rows, { goldenHashes: none, holdoutFraction: 0.2, seed: "job-2" });
    expect(c.items.filter((i) => i.holdout).map((i) => i.cropSha256)).not.toEqual(
      a.items.filter((i) => i.holdout).map((i) => i.cropSha256),
    );
  });
});

describe("buildSnapshot with Dawid–Skene", () => {
  it("settles a tie in favour of the reviewer whose verdicts the others confirm, and says how the label was formed", () => {
    const rows: ReviewedRow[] = [];
    const labels = ["happy", "sad", "angry", "fear"];
    // 40 faces judged by reviewers 1 and 2 (who agree) and 3 (who answers "fear" to everything).
    for (let i = 0; i < 40; i++) {
      const truth = labels[i % 3]!;
      rows.push(row({ cropSha256: `f${String(i).padStart(2, "0")}`, reviewerId: 1, label: truth }));
      rows.push(row({ cropSha256: `f${String(i).padStart(2, "0")}`, reviewerId: 2, label: truth }));
      rows.push(row({ cropSha256: `f${String(i).padStart(2, "0")}`, reviewerId: 3, label: "fear" }));
    }
    // The face in question: reviewer 1 says sad, reviewer 3 says fear — a tie for the majority.
    rows.push(row({ cropSha256: "zz", reviewerId: 1, label: "sad" }));
    rows.push(row({ cropSha256: "zz", reviewerId: 3, label: "fear" }));

    const majority = buildSnapshot(rows, { goldenHashes: none, holdoutFraction: 0 });
    expect(majority.items.find((i) => i.cropSha256 === "zz")).toBeUndefined();
    expect(majority.excluded.ties).toBe(1);

    const ds = buildSnapshot(rows, { goldenHashes: none, holdoutFraction: 0, aggregation: "dawid-skene" });
    const face = ds.items.find((i) => i.cropSha256 === "zz");
    expect(face?.label).toBe("sad");
    expect(face?.formed).toMatchObject({ method: "dawid-skene", votes: 2, support: 1 });
    expect(face?.formed.posterior).toBeGreaterThan(0.9);
    expect(ds.aggregation).toBe("dawid-skene");
    expect(ds.excluded.ties).toBe(0);
    // Where the majority is clear, both agree.
    expect(ds.items.filter((i) => i.cropSha256 !== "zz").map((i) => i.label)).toEqual(
      majority.items.map((i) => i.label),
    );
  });

  it("uses an adjudication over the verdicts, a golden face's fixed label, and leaves out 'not a face' and 'can't tell'", () => {
    const s = buildSnapshot(
      [
        row({ cropSha256: "a", reviewerId: 1, label: "sad" }),
        row({ cropSha256: "a", reviewerId: 2, label: "fear" }),
        row({ cropSha256: "g", reviewerId: 1, label: "happy" }),
        row({ cropSha256: "n", reviewerId: 1, label: "not_a_face" }),
        row({ cropSha256: "u", reviewerId: 1, label: "unsure" }),
      ],
      {
        goldenHashes: new Set(["g"]),
        goldenLabels: new Map([["g", "surprise"]]),
        adjudicated: new Map([["a", "fear"]]),
        holdoutFraction: 0,
      },
    );
    expect(s.items).toEqual([
      expect.objectContaining({
        cropSha256: "a",
        label: "fear",
        formed: { method: "adjudicated", votes: 2, support: 1 },
      }),
    ]);
    expect(s.golden).toEqual([expect.objectContaining({ cropSha256: "g", label: "surprise" })]);
    expect(s.excluded).toMatchObject({ notAFace: 1, unsure: 1, ties: 0, goldenFaces: 1 });
  });
});
