import { readMetrics, type EvalMetrics, type VersionMetrics } from "./metrics";

/** The figures of one version on one set; `full` only where a whole evaluation was stored. */
export interface Figures {
  n: number | null;
  accuracy: number | null;
  macroF1: number | null;
  full: EvalMetrics | null;
}

export interface SetComparison {
  key: "holdout" | "golden";
  title: string;
  target: Figures | null;
  other: Figures | null;
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

function fromEval(e: EvalMetrics | null): Figures | null {
  return e ? { n: e.n, accuracy: e.accuracy, macroF1: e.macro_f1, full: e } : null;
}

function ownFigures(m: VersionMetrics): { holdout: Figures | null; golden: Figures | null } {
  if (m.kind === "trained") return { holdout: fromEval(m.data.holdout), golden: fromEval(m.data.golden) };
  if (m.kind === "summary") {
    const s = m.data;
    return {
      holdout: { n: s.n ?? null, accuracy: s.accuracy ?? null, macroF1: s.macro_f1 ?? null, full: null },
      golden: null,
    };
  }
  return { holdout: null, golden: null };
}

function sizeOf(a: Figures | null, b: Figures | null): number | null {
  return a?.n ?? b?.n ?? null;
}

function sets(
  holdout: [Figures | null, Figures | null],
  golden: [Figures | null, Figures | null],
  titles: { holdout: string; golden: string },
): SetComparison[] {
  const out: SetComparison[] = [];
  if (holdout[0] || holdout[1])
    out.push({ key: "holdout", title: titles.holdout, target: holdout[0], other: holdout[1] });
  if (golden[0] || golden[1]) out.push({ key: "golden", title: titles.golden, target: golden[0], other: golden[1] });
  return out;
}

function faces(n: number | null): string {
  return n === null ? "" : ` · ${n} ${n === 1 ? "face" : "faces"}`;
}

/**
 * Puts a version beside another (normally the active one). Each training run scores its candidate
 * and the version active at the time on the same held-out faces and golden set; when the two
 * versions are exactly such a pair, those shared figures are used. Otherwise each version's own
 * figures are shown, and flagged as measured on different faces.
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
      sets: sets([own.holdout, null], [own.golden, null], { holdout: "Own evaluation", golden: "Golden set" }),
    };
  }

  if (t.kind === "trained" && t.data.active_version === other.version) {
    const d = t.data;
    const holdout: [Figures | null, Figures | null] = [fromEval(d.holdout), fromEval(d.active_holdout)];
    const golden: [Figures | null, Figures | null] = [fromEval(d.golden), fromEval(d.active_golden)];
    return {
      ...base,
      sameData: true,
      basis: `Both scored on the same faces when version ${target.version} was trained.`,
      sets: sets(holdout, golden, {
        holdout: `Held-out slice${faces(sizeOf(...holdout))}`,
        golden: `Golden set${faces(sizeOf(...golden))}`,
      }),
    };
  }

  const o = readMetrics(other.metrics);
  if (o.kind === "trained" && o.data.active_version === target.version) {
    const d = o.data;
    const holdout: [Figures | null, Figures | null] = [fromEval(d.active_holdout), fromEval(d.holdout)];
    const golden: [Figures | null, Figures | null] = [fromEval(d.active_golden), fromEval(d.golden)];
    return {
      ...base,
      sameData: true,
      basis: `Both scored on the same faces when version ${other.version} was trained.`,
      sets: sets(holdout, golden, {
        holdout: `Held-out slice${faces(sizeOf(...holdout))}`,
        golden: `Golden set${faces(sizeOf(...golden))}`,
      }),
    };
  }

  const mine = ownFigures(t);
  const theirs = ownFigures(o);
  const any = mine.holdout || mine.golden || theirs.holdout || theirs.golden;
  return {
    ...base,
    sameData: false,
    basis: any
      ? "Each version’s own evaluation, measured on different faces: read the differences with care."
      : "Neither version has evaluation figures.",
    sets: sets([mine.holdout, theirs.holdout], [mine.golden, theirs.golden], {
      holdout: "Own evaluation",
      golden: "Golden set at training time",
    }),
  };
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
