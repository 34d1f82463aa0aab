import { describe, expect, it } from "vitest";
import { decidePromotion, type SetScore } from "@/worker/gate";

const s = (accuracy: number, n = 100): SetScore => ({ n, accuracy, macroF1: accuracy });

describe("decidePromotion", () => {
  it.each([
    ["better on holdout, golden equal", s(0.7), s(0.6), s(0.8), s(0.8), true, /Better/],
    ["better on holdout, golden 0.9 points worse", s(0.7), s(0.6), s(0.791), s(0.8), true, /Better/],
    ["better on holdout, golden 2 points worse", s(0.7), s(0.6), s(0.78), s(0.8), false, /Worse on the golden set/],
    ["equal on holdout", s(0.6), s(0.6), s(0.9), s(0.8), false, /Not better/],
    ["worse on holdout", s(0.5), s(0.6), s(0.9), s(0.8), false, /Not better/],
    ["empty holdout", s(0.9, 0), s(0.6, 0), s(0.9), s(0.8), false, /empty/],
  ])("%s → promote %s", (_name, ch, ah, cg, ag, promote, reason) => {
    const d = decidePromotion({
      candidate: { holdout: ch, golden: cg },
      active: { holdout: ah, golden: ag },
      goldenTolerance: 0.01,
      autoPromote: true,
    });
    expect(d.promote).toBe(promote);
    expect(d.reason).toMatch(reason);
  });

  it("promotes on the holdout alone while there is no golden set", () => {
    const d = decidePromotion({
      candidate: { holdout: s(0.7), golden: null },
      active: { holdout: s(0.6), golden: null },
      goldenTolerance: 0.01,
      autoPromote: true,
    });
    expect(d).toMatchObject({ promote: true, reason: expect.stringMatching(/no golden set/) });
  });

  it("never promotes when auto-promotion is off, but says it passed", () => {
    const d = decidePromotion({
      candidate: { holdout: s(0.7), golden: s(0.8) },
      active: { holdout: s(0.6), golden: s(0.8) },
      goldenTolerance: 0.01,
      autoPromote: false,
    });
    expect(d).toMatchObject({ promote: false, reason: expect.stringMatching(/auto-promotion is off/) });
  });
});
