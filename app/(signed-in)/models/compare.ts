import { mcnemarExact, mcnemarFromCounts, ALPHA, type PairedVerdict } from "@/lib/stats/mcnemar";
import { bootstrapMacroF1Interval } from "@/lib/stats/bootstrap";
import { SMALL_SAMPLE, wilsonInterval, type Interval } from "@/lib/stats/wilson";
import { readMetrics, type EvalMetrics, type TrainedMetrics, type VersionMetrics } from "./metrics";

/** The figures of one version on one set; `full` only where a whole evaluation was stored. */
export interface Figures {
  n: number | null;
  accuracy: number | null;
  macroF1: number | null;
  full: EvalMetrics | null;
  /** The faces these were measured on, in words: "held-out slice", "fer2013/test-public". */
  set: string;
}

export interface SetComparison {
  key: "holdout" | "golden";
  title: string;
  target: Figures | null;
  other: Figures | null;
  /** Both sides were scored on exactly these faces: a difference between them means something. */
  sameFaces: boolean;
  /** Whether the accuracy difference could be chance (same faces only). */
  test: PairedVerdict | null;
}

export interface Comparison {
  targetVersion: number;
  otherVersion: number | null;
  /** Both versions were scored on the same faces, so their differences mean something. */
  sameData: boolean;
  /** Where the figures come from, in one sentence for the reader. */
  basis: string;
  sets: SetComparison[];
}

export interface VersionRef {
  version: number;
  metrics: unknown;
}

const HOLDOUT = "held-out slice";
const GOLDEN = "golden set at training";

export function fromEval(e: EvalMetrics, set: string): Figures;
export function fromEval(e: EvalMetrics | null, set: string): Figures | null;
export function fromEval(e: EvalMetrics | null, set: string): Figures | null {
  return e ? { n: e.n, accuracy: e.accuracy, macroF1: e.macro_f1, full: e, set } : null;
}

function ownFigures(m: VersionMetrics): { holdout: Figures | null; golden: Figures | null } {
  if (m.kind === "trained")
    return { holdout: fromEval(m.data.holdout, HOLDOUT), golden: fromEval(m.data.golden, GOLDEN) };
  if (m.kind === "summary") {
    const s = m.data;
    return {
      holdout: {
        n: s.n ?? null,
        accuracy: s.accuracy ?? null,
        macroF1: s.macro_f1 ?? null,
        full: null,
        set: s.dataset ?? "its own test set",
      },
      golden: null,
    };
  }
  return { holdout: null, golden: null };
}

function sizeOf(a: Figures | null, b: Figures | null): number | null {
  return a?.n ?? b?.n ?? null;
}

function faces(n: number | null): string {
  return n === null ? "" : ` · ${n} ${n === 1 ? "face" : "faces"}`;
}

/** Faces right: the confusion matrix's diagonal, else accuracy × n. */
export function correctCount(f: Figures): number | null {
  if (f.full) return f.full.confusion.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  return f.n !== null && f.accuracy !== null ? Math.round(f.accuracy * f.n) : null;
}

/**
 * Whether the accuracy difference of two versions on the same faces could be chance: exact McNemar
 * on the per-face agreement when it was stored, else its bounds from the two counts right.
 * `agreement` is oriented target-first.
 */
export function accuracyTest(
  target: Figures | null,
  other: Figures | null,
  agreement: { first_only: number; second_only: number } | null,
): PairedVerdict | null {
  if (agreement) {
    const p = mcnemarExact(agreement.first_only, agreement.second_only);
    return { kind: "exact", p, significant: p < ALPHA };
  }
  if (!target || !other || target.n === null || target.n !== other.n) return null;
  const k1 = correctCount(target);
  const k2 = correctCount(other);
  return k1 === null || k2 === null ? null : mcnemarFromCounts(k1, k2, target.n);
}

type Agreement = NonNullable<NonNullable<TrainedMetrics["agreement"]>["holdout"]>;
const flip = (a: Agreement | null | undefined, reversed: boolean) =>
  a ? (reversed ? { first_only: a.second_only, second_only: a.first_only } : a) : null;

/** The two sets of a pair scored together when one of them was trained (`d` is that one's metrics). */
function pairedSets(d: TrainedMetrics, reversed: boolean): SetComparison[] {
  const own = [fromEval(d.holdout, HOLDOUT), fromEval(d.golden, GOLDEN)] as const;
  const theirs = [fromEval(d.active_holdout, HOLDOUT), fromEval(d.active_golden, GOLDEN)] as const;
  const pair = (i: 0 | 1): [Figures | null, Figures | null] => (reversed ? [theirs[i], own[i]] : [own[i], theirs[i]]);
  const out: SetComparison[] = [];
  const holdout = pair(0);
  if (holdout[0] || holdout[1])
    out.push({
      key: "holdout",
      title: `Held-out slice${faces(sizeOf(...holdout))}`,
      target: holdout[0],
      other: holdout[1],
      sameFaces: true,
      test: accuracyTest(holdout[0], holdout[1], flip(d.agreement?.holdout, reversed)),
    });
  const golden = pair(1);
  if (golden[0] || golden[1])
    out.push({
      key: "golden",
      title: `Golden set${faces(sizeOf(...golden))}`,
      target: golden[0],
      other: golden[1],
      sameFaces: true,
      test: accuracyTest(golden[0], golden[1], flip(d.agreement?.golden, reversed)),
    });
  return out;
}

/**
 * Puts a version beside another. Each training run scores its candidate and the version active at
 * the time on the same held-out faces and golden set; when the two versions are exactly such a
 * pair, those shared figures are used, with a test of the difference. Otherwise each version's own
 * figures are shown, each naming its faces, and no difference is drawn between them.
 */
export function compareVersions(target: VersionRef, other: VersionRef | null): Comparison {
  const t = readMetrics(target.metrics);
  const base = { targetVersion: target.version, otherVersion: other?.version ?? null };
  if (!other) {
    const own = ownFigures(t);
    return {
      ...base,
      sameData: false,
      basis: "There is no other version to compare with.",
      sets: unpaired([own.holdout, null], [own.golden, null]),
    };
  }

  if (t.kind === "trained" && t.data.active_version === other.version) {
    return {
      ...base,
      sameData: true,
      basis: `Both scored on the same faces when version ${target.version} was trained.`,
      sets: pairedSets(t.data, false),
    };
  }

  const o = readMetrics(other.metrics);
  if (o.kind === "trained" && o.data.active_version === target.version) {
    return {
      ...base,
      sameData: true,
      basis: `Both scored on the same faces when version ${other.version} was trained.`,
      sets: pairedSets(o.data, true),
    };
  }

  const mine = ownFigures(t);
  const theirs = ownFigures(o);
  const any = mine.holdout || mine.golden || theirs.holdout || theirs.golden;
  return {
    ...base,
    sameData: false,
    basis: any
      ? `Versions ${target.version} and ${other.version} were never scored on the same faces: each figure is on its own faces, so no difference is drawn.`
      : "Neither version has evaluation figures.",
    sets: unpaired([mine.holdout, theirs.holdout], [mine.golden, theirs.golden]),
  };
}

function unpaired(
  holdout: [Figures | null, Figures | null],
  golden: [Figures | null, Figures | null],
): SetComparison[] {
  const out: SetComparison[] = [];
  if (holdout[0] || holdout[1])
    out.push({
      key: "holdout",
      title: "Own evaluation, each on its own faces",
      target: holdout[0],
      other: holdout[1],
      sameFaces: false,
      test: null,
    });
  if (golden[0] || golden[1])
    out.push({
      key: "golden",
      title: "Golden set as it was when each was trained",
      target: golden[0],
      other: golden[1],
      sameFaces: false,
      test: null,
    });
  return out;
}

export interface Uncertainty {
  n: number;
  /** Fewer than SMALL_SAMPLE faces: shown with its interval and a warning. */
  small: boolean;
  accuracy: Interval | null;
  macroF1: Interval | null;
}

/**
 * The 95 % intervals of a figure measured on fewer than 100 faces: Wilson for accuracy, a seeded
 * bootstrap over the confusion matrix for macro-F1 (when the matrix was stored). Null when the size
 * is unknown; `small: false` (no intervals) from 100 faces on.
 */
export function uncertaintyOf(f: Figures | null): Uncertainty | null {
  if (!f || f.n === null) return null;
  if (f.n >= SMALL_SAMPLE) return { n: f.n, small: false, accuracy: null, macroF1: null };
  const k = correctCount(f);
  return { n: f.n, small: true, accuracy: k === null ? null : wilsonInterval(k, f.n), macroF1: f1Interval(f.full) };
}

/** Bootstrap intervals by evaluation: a page renders the same figures many times. */
const f1Intervals = new WeakMap<EvalMetrics, Interval | null>();

/**
 * Macro-F1's bootstrap interval; null when there is no matrix, or when every resample gives the
 * same value (all faces wrong, say): a zero-width "interval" would claim a certainty the faces lack.
 */
function f1Interval(full: EvalMetrics | null): Interval | null {
  if (!full) return null;
  if (!f1Intervals.has(full)) {
    const ci = bootstrapMacroF1Interval(full.confusion);
    f1Intervals.set(full, ci && ci.high > ci.low ? ci : null);
  }
  return f1Intervals.get(full) ?? null;
}

export interface ClassRow {
  label: string;
  target: number | null;
  other: number | null;
  /** Faces of this class in the set (from whichever side has it). */
  support: number | null;
}

/** Per-class F1 of both sides in the given label order. */
export function perClassF1(labels: readonly string[], set: SetComparison): ClassRow[] {
  return labels.map((label) => {
    const a = set.target?.full?.per_class[label];
    const b = set.other?.full?.per_class[label];
    return { label, target: a?.f1 ?? null, other: b?.f1 ?? null, support: a?.support ?? b?.support ?? null };
  });
}

/** target − other, cell by cell; null when either matrix is missing or the shapes differ. */
export function confusionDifference(target: number[][] | undefined, other: number[][] | undefined): number[][] | null {
  if (!target || !other || target.length !== other.length) return null;
  const out: number[][] = [];
  for (const [i, row] of target.entries()) {
    const theirs = other[i];
    if (!theirs || theirs.length !== row.length) return null;
    out.push(row.map((v, j) => v - (theirs[j] ?? 0)));
  }
  return out;
}
