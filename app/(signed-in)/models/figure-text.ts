import type { PairedVerdict } from "@/lib/stats/mcnemar";
import type { Interval } from "@/lib/stats/wilson";

/** A p-value with two significant figures; tiny ones as "< 0.001". */
export function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : p >= 1 ? "1" : p.toPrecision(2);
}

/** "95 % CI 52.3–85.1 %" / "95 % CI 0.412–0.803". */
export function intervalText(ci: Interval, unit: "percent" | "score"): string {
  return unit === "percent"
    ? `95 % CI ${(ci.low * 100).toFixed(1)}–${(ci.high * 100).toFixed(1)} %`
    : `95 % CI ${ci.low.toFixed(3)}–${ci.high.toFixed(3)}`;
}

/** The warning every figure on fewer than 100 faces carries. */
export function smallSampleText(n: number): string {
  return `n = ${n}: too few faces for this figure to mean much`;
}

/** What the paired test says about an accuracy difference on the same faces, in words. */
export function testText(test: PairedVerdict): { significant: boolean | null; text: string } {
  if (test.kind === "exact")
    return {
      significant: test.significant,
      text: `${test.significant ? "significant" : "not significant"} (McNemar p = ${formatP(test.p)})`,
    };
  if (test.significant === false)
    return {
      significant: false,
      text: `not significant (McNemar p ≥ ${formatP(test.pMin)} whichever faces differ)`,
    };
  if (test.significant === true)
    return {
      significant: true,
      text: `significant (McNemar p ${test.pMax < 0.001 ? "< 0.001" : `≤ ${formatP(test.pMax)}`} whichever faces differ)`,
    };
  return {
    significant: null,
    text: `significance unknown: McNemar p is between ${formatP(test.pMin)} and ${formatP(test.pMax)}, depending on which faces differ (not recorded for this version)`,
  };
}
