/** Scores of one model version on one evaluation set. */
export interface SetScore {
  n: number;
  accuracy: number;
  macroF1: number;
}

export interface GateInput {
  candidate: { holdout: SetScore; golden: SetScore | null };
  active: { holdout: SetScore; golden: SetScore | null };
  /** Largest accuracy drop on the golden set that is still acceptable (0.01 = 1 point). */
  goldenTolerance: number;
  autoPromote: boolean;
}

export interface GateDecision {
  promote: boolean;
  reason: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The promotion policy: a candidate replaces the active version only when it is better on the
 * held-out slice of its snapshot and not worse on the golden set by more than the tolerance.
 * An empty held-out slice proves nothing, so it never promotes.
 */
export function decidePromotion(g: GateInput): GateDecision {
  const { candidate: c, active: a } = g;
  if (c.holdout.n === 0)
    return { promote: false, reason: "The held-out slice is empty: nothing shows the candidate is better." };
  if (!(c.holdout.accuracy > a.holdout.accuracy)) {
    return {
      promote: false,
      reason: `Not better on the held-out slice: ${pct(c.holdout.accuracy)} vs ${pct(a.holdout.accuracy)} (n=${c.holdout.n}).`,
    };
  }
  if (c.golden && a.golden && c.golden.n > 0) {
    const drop = a.golden.accuracy - c.golden.accuracy;
    if (drop > g.goldenTolerance + 1e-12) {
      return {
        promote: false,
        reason: `Worse on the golden set by ${pct(drop)} (${pct(c.golden.accuracy)} vs ${pct(a.golden.accuracy)}, n=${c.golden.n}); the tolerance is ${pct(g.goldenTolerance)}.`,
      };
    }
  }
  const goldenNote =
    c.golden && a.golden && c.golden.n > 0
      ? `golden set ${pct(c.golden.accuracy)} vs ${pct(a.golden.accuracy)} (n=${c.golden.n})`
      : "no golden set yet";
  const why = `Better on the held-out slice: ${pct(c.holdout.accuracy)} vs ${pct(a.holdout.accuracy)} (n=${c.holdout.n}); ${goldenNote}.`;
  if (!g.autoPromote) return { promote: false, reason: `Passes the gate, but auto-promotion is off. ${why}` };
  return { promote: true, reason: why };
}
