import { describe, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { compareVersions, confusionDifference, perClassF1, uncertaintyOf, type VersionRef } from "./compare";
import { readMetrics } from "./metrics";

function evalOf(accuracy: number, n = 10, diagonal = 1) {
  const per_class = Object.fromEntries(
    EMOTION_LABELS.map((l) => [l, { precision: accuracy, recall: accuracy, f1: accuracy, support: 1 }]),
  );
  const confusion = EMOTION_LABELS.map((_, i) => EMOTION_LABELS.map((__, j) => (i === j ? diagonal : 0)));
  return { n, accuracy, macro_f1: accuracy / 2, per_class, confusion, ece: 0.1 };
}

function trained(
  version: number,
  own: number,
  activeVersion: number | null,
  activeScore: number | null,
  agreement?: { both: number; first_only: number; second_only: number; neither: number },
): VersionRef {
  return {
    version,
    metrics: {
      ...(agreement ? { agreement: { holdout: agreement, golden: null } } : {}),
      holdout: evalOf(own),
      golden: null,
      active_version: activeVersion,
      active_holdout: activeScore === null ? null : evalOf(activeScore, 10, 0),
      active_golden: null,
      snapshot: { hash: "abc", train: 20, holdout: 10, golden: 0, replay: 0 },
      training: {
        epochs: [{ epoch: 1, loss: 1, acc: 0.5, valLoss: null, valAcc: null }],
        durationSeconds: 3,
        backend: "wasm",
      },
    },
  };
}

const baseline: VersionRef = {
  version: 1,
  metrics: { accuracy: 0.61, macro_f1: 0.55, dataset: "fer2013/test-public" },
};
const bare: VersionRef = { version: 1, metrics: null };

describe("readMetrics", () => {
  it.each([
    ["a trained version", trained(2, 0.7, 1, 0.6).metrics, "trained"],
    ["a baseline summary", baseline.metrics, "summary"],
    ["nothing", null, "none"],
    ["unexpected JSON", { accuracy: "high" }, "none"],
  ])("reads %s", (_, raw, kind) => {
    expect(readMetrics(raw).kind).toBe(kind);
  });
});

describe("compareVersions", () => {
  it.each([
    // [case, target, other, sameData, target holdout accuracy, other holdout accuracy]
    ["a candidate beside the version it was judged against", trained(2, 0.7, 1, 0.6), baseline, true, 0.7, 0.6],
    ["a rollback target that the active version was judged against", baseline, trained(2, 0.7, 1, 0.6), true, 0.6, 0.7],
    ["two unrelated trained versions", trained(3, 0.8, 1, 0.6), trained(2, 0.7, 1, 0.6), false, 0.8, 0.7],
    [
      "a trained version beside a bare baseline it was not judged against",
      trained(3, 0.8, 2, 0.7),
      bare,
      false,
      0.8,
      null,
    ],
  ])("%s", (_, target, other, sameData, targetAcc, otherAcc) => {
    const c = compareVersions(target, other);
    expect(c.sameData).toBe(sameData);
    const holdout = c.sets.find((s) => s.key === "holdout");
    expect(holdout?.target?.accuracy ?? null).toBe(targetAcc);
    expect(holdout?.other?.accuracy ?? null).toBe(otherAcc);
  });

  it("has no sets when neither side has figures", () => {
    expect(compareVersions(bare, { version: 2, metrics: null }).sets).toEqual([]);
  });

  it("lines per-class F1 up in label order and subtracts confusion matrices", () => {
    const c = compareVersions(trained(2, 0.7, 1, 0.6), baseline);
    const set = c.sets[0]!;
    const rows = perClassF1(EMOTION_LABELS, set);
    expect(rows.map((r) => r.label)).toEqual([...EMOTION_LABELS]);
    expect(rows[0]).toMatchObject({ target: 0.7, other: 0.6, support: 1 });
    const diff = confusionDifference(set.target?.full?.confusion, set.other?.full?.confusion);
    expect(diff?.[0]?.[0]).toBe(1);
    expect(diff?.[0]?.[1]).toBe(0);
    expect(confusionDifference([[1, 2]], [[1]])).toBeNull();
  });
});

/** An evaluation on n faces with `right` of them right (all one class), as a stored matrix has it. */
function evalRight(n: number, right: number) {
  const confusion = EMOTION_LABELS.map(() => EMOTION_LABELS.map(() => 0));
  confusion[0]![0] = right;
  confusion[0]![1] = n - right;
  const per_class = Object.fromEntries(EMOTION_LABELS.map((l) => [l, { precision: 1, recall: 1, f1: 1, support: 0 }]));
  return { n, accuracy: right / n, macro_f1: 0.5, per_class, confusion, ece: 0 };
}

function judged(
  version: number,
  activeVersion: number,
  n: number,
  right: number,
  activeRight: number,
  agreement?: object,
) {
  return {
    version,
    metrics: {
      holdout: evalRight(n, right),
      golden: null,
      active_version: activeVersion,
      active_holdout: evalRight(n, activeRight),
      active_golden: null,
      ...(agreement ? { agreement: { holdout: agreement, golden: null } } : {}),
      snapshot: null,
      training: null,
    },
  };
}

describe("comparing two chosen versions", () => {
  // Version 1 installed (test-public figures); 3 trained while 1 was active, 12 held-out faces; 5
  // trained from 1 after a rollback from 3, judged against 1 on 40 faces of its own.
  const v1: VersionRef = {
    version: 1,
    metrics: { accuracy: 0.6473, macro_f1: 0.61, n: 3589, dataset: "fer2013/test-public" },
  };
  const v3 = judged(3, 1, 12, 9, 7);
  const v5 = judged(5, 1, 40, 30, 20, { both: 18, first_only: 12, second_only: 2, neither: 8 });

  it("names each side's faces and draws no difference between versions never scored together", () => {
    const c = compareVersions(v3, v5);
    expect(c.sameData).toBe(false);
    expect(c.basis).toMatch(/Versions 3 and 5 were never scored on the same faces/);
    const holdout = c.sets.find((s) => s.key === "holdout")!;
    expect(holdout).toMatchObject({ sameFaces: false, test: null });
    expect(holdout.target).toMatchObject({ n: 12, set: "held-out slice" });
    expect(holdout.other).toMatchObject({ n: 40, set: "held-out slice" });
  });

  it("keeps test-public figures apart from a 12-face held-out slice", () => {
    const c = compareVersions(v1, v3);
    // 3 was judged against 1: the shared figures are on 3's twelve held-out faces, not test-public.
    expect(c.sameData).toBe(true);
    const holdout = c.sets[0]!;
    expect(holdout.title).toBe("Held-out slice · 12 faces");
    expect(holdout.target).toMatchObject({ n: 12, accuracy: 7 / 12 });
    expect(holdout.other).toMatchObject({ n: 12, accuracy: 9 / 12 });
  });

  it("marks a two-face difference on twelve faces as not significant whatever faces differ", () => {
    const holdout = compareVersions(v3, v1).sets[0]!;
    expect(holdout.sameFaces).toBe(true);
    expect(holdout.test).toMatchObject({ kind: "bounded", significant: false });
  });

  it("uses the exact paired test when the faces each got right were stored, in the reader's order", () => {
    const forward = compareVersions(v5, v1).sets[0]!.test;
    expect(forward).toMatchObject({ kind: "exact", significant: true });
    // 12 against 2 discordant faces: p = 2·(1 + 14 + 91)/2¹⁴.
    if (forward?.kind === "exact") expect(forward.p).toBeCloseTo((2 * 106) / 16384, 12);
    const backward = compareVersions(v1, v5).sets[0]!;
    expect(backward.target?.accuracy).toBe(0.5);
    expect(backward.test).toEqual(forward);
  });
});

describe("uncertaintyOf", () => {
  it("gives figures on fewer than 100 faces a Wilson interval for accuracy and a bootstrap one for macro-F1", () => {
    const u = uncertaintyOf({ n: 12, accuracy: 0.75, macroF1: 0.5, full: evalRight(12, 9), set: "held-out slice" })!;
    expect(u.small).toBe(true);
    expect(u.accuracy!.low).toBeCloseTo(0.4677, 4);
    expect(u.accuracy!.high).toBeCloseTo(0.9111, 4);
    expect(u.macroF1).not.toBeNull();
  });

  it("gives macro-F1 no interval when every resample gives the same value", () => {
    const u = uncertaintyOf({ n: 4, accuracy: 0, macroF1: 0, full: evalRight(4, 0), set: "golden set at training" })!;
    expect(u.accuracy!.high).toBeCloseTo(0.4899, 4);
    expect(u.macroF1).toBeNull();
  });

  it.each([
    ["100 faces or more", { n: 3589, accuracy: 0.6473, macroF1: null, full: null, set: "test-public" }, false],
    ["an unknown size", { n: null, accuracy: 0.6, macroF1: null, full: null, set: "its own test set" }, null],
  ])("gives no interval for %s", (_, figures, small) => {
    expect(uncertaintyOf(figures)?.small ?? null).toBe(small);
  });
});
