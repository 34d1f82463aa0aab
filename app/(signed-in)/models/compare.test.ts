import { describe, expect, it } from "vitest";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { compareVersions, confusionDifference, perClassF1, type VersionRef } from "./compare";
import { readMetrics } from "./metrics";

function evalOf(accuracy: number, n = 10, diagonal = 1) {
  const per_class = Object.fromEntries(
    EMOTION_LABELS.map((l) => [l, { precision: accuracy, recall: accuracy, f1: accuracy, support: 1 }]),
  );
  const confusion = EMOTION_LABELS.map((_, i) => EMOTION_LABELS.map((__, j) => (i === j ? diagonal : 0)));
  return { n, accuracy, macro_f1: accuracy / 2, per_class, confusion, ece: 0.1 };
}

function trained(version: number, own: number, activeVersion: number | null, activeScore: number | null): VersionRef {
  return {
    version,
    metrics: {
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
