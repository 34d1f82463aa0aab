import { describe, expect, it } from "vitest";
import { cohensKappa, fleissKappa, krippendorffAlphaNominal, percentAgreement } from "@/lib/agreement/kappa";

/** `count` copies of each pair. */
function repeat(groups: ReadonlyArray<[number, [string, string]]>): [string, string][] {
  return groups.flatMap(([count, pair]) => Array.from({ length: count }, () => pair));
}

describe("cohensKappa", () => {
  it("Wikipedia's 50 grant proposals: p_o 0.7, p_e 0.5, κ 0.4", () => {
    // Rater A said yes to 25, rater B to 30: p_e = 0.5 × 0.6 + 0.5 × 0.4 = 0.5.
    const pairs = repeat([
      [20, ["yes", "yes"]],
      [5, ["yes", "no"]],
      [10, ["no", "yes"]],
      [15, ["no", "no"]],
    ]);
    const result = cohensKappa(pairs);
    expect(result.n).toBe(50);
    expect(result.observed).toBeCloseTo(0.7, 12);
    expect(result.expected).toBeCloseTo(0.5, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it("perfect agreement over several categories is 1", () => {
    const pairs = repeat([
      [3, ["happy", "happy"]],
      [2, ["sad", "sad"]],
      [1, ["not_a_face", "not_a_face"]],
    ]);
    expect(cohensKappa(pairs).kappa).toBe(1);
  });

  it("is undefined when both raters used one same label (p_e = 1), and with no pairs", () => {
    const result = cohensKappa(repeat([[4, ["happy", "happy"]]]));
    expect(result).toEqual({ kappa: null, observed: 1, expected: 1, n: 4 });
    expect(cohensKappa([]).kappa).toBeNull();
  });

  it("is defined when one rater used a single label and the other did not (κ = 0 here)", () => {
    // p_o = 2/4, p_e = 1 × 2/4 = 0.5 → κ = 0.
    const result = cohensKappa([
      ["happy", "happy"],
      ["happy", "happy"],
      ["happy", "sad"],
      ["happy", "unsure"],
    ]);
    expect(result.expected).toBeCloseTo(0.5, 12);
    expect(result.kappa).toBeCloseTo(0, 12);
  });
});

/** The ratings of one subject from its per-category counts; categories are named "1", "2", … */
function fromCounts(counts: readonly number[]): string[] {
  return counts.flatMap((count, j) => Array.from({ length: count }, () => String(j + 1)));
}

// Fleiss (1971), as worked on Wikipedia's "Fleiss' kappa": 10 subjects, 14 raters, 5 categories.
const FLEISS_TABLE = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
].map(fromCounts);

// Three subjects with 3, 2 and 4 ratings, and one with a single rating (ignored):
//   P_1 = (2·1 + 1·0) / (3·2) = 1/3,  P_2 = 2·1 / (2·1) = 1,  P_3 = (1·0 + 3·2) / (4·3) = 1/2
//   P̄ = (1/3 + 1 + 1/2) / 3 = 11/18
//   9 ratings used: a 5, b 4 ("c" is on the ignored subject) → P̄e = (5/9)² + (4/9)² = 41/81
//   κ = (11/18 − 41/81) / (1 − 41/81) = (17/162) / (40/81) = 17/80
const VARIABLE = [["a", "a", "b"], ["a", "a"], ["b", "b", "b", "a"], ["c"]];

describe("fleissKappa", () => {
  it("Fleiss (1971): P̄ 0.378, P̄e 0.213, κ 0.210", () => {
    const result = fleissKappa(FLEISS_TABLE);
    expect(result.items).toBe(10);
    expect(result.observed).toBeCloseTo(0.378, 3);
    expect(result.expected).toBeCloseTo(0.213, 3);
    expect(result.kappa).toBeCloseTo(0.21, 3);
  });

  it("a variable number of raters per subject (hand-computed: κ = 17/80)", () => {
    const result = fleissKappa(VARIABLE);
    expect(result.items).toBe(3);
    expect(result.observed).toBeCloseTo(11 / 18, 12);
    expect(result.expected).toBeCloseTo(41 / 81, 12);
    expect(result.kappa).toBeCloseTo(17 / 80, 12);
  });

  it("does not depend on the order of the ratings within or across subjects", () => {
    const shuffled = [...VARIABLE].reverse().map((ratings) => [...ratings].reverse());
    expect(fleissKappa(shuffled).kappa).toBeCloseTo(17 / 80, 12);
  });

  it("is undefined with no pairable subject and with a single category", () => {
    expect(fleissKappa([["happy"], []]).kappa).toBeNull();
    expect(fleissKappa([["sad", "sad"], ["sad", "sad", "sad"], ["happy"]])).toEqual({
      kappa: null,
      observed: 1,
      expected: 1,
      items: 2,
    });
  });

  it("perfect agreement over two categories is 1", () => {
    expect(
      fleissKappa([
        ["happy", "happy", "happy"],
        ["unsure", "unsure"],
      ]).kappa,
    ).toBe(1);
  });
});

describe("percentAgreement", () => {
  it("is Fleiss' P̄ over the subjects with 2 ratings or more", () => {
    expect(percentAgreement(FLEISS_TABLE).agreement).toBeCloseTo(0.378, 3);
    expect(percentAgreement(VARIABLE)).toEqual({ agreement: expect.closeTo(11 / 18, 12), items: 3 });
  });

  it("two raters: the share of subjects labelled alike; null with nothing pairable", () => {
    expect(
      percentAgreement([
        ["happy", "happy"],
        ["sad", "happy"],
        ["sad", "sad"],
        ["fear", "fear"],
      ]),
    ).toEqual({
      agreement: 0.75,
      items: 4,
    });
    expect(percentAgreement([["happy"]])).toEqual({ agreement: null, items: 0 });
  });
});

/** One row per observer, "." for a missing value; returns the values of each unit (column). */
function unitsFromObservers(rows: readonly string[]): string[][] {
  const grid = rows.map((row) => row.split(" "));
  return grid[0]!.map((_, unit) => grid.map((row) => row[unit]!).filter((value) => value !== "."));
}

describe("krippendorffAlphaNominal", () => {
  it("Krippendorff (2011), nominal data with missing values: α 0.743 over 40 pairable values", () => {
    const units = unitsFromObservers([
      "1 2 3 3 2 1 4 1 2 . . .",
      "1 2 3 3 2 2 4 1 2 5 . 3",
      ". 3 3 3 2 3 4 2 2 5 1 .",
      "1 2 3 3 2 4 4 1 2 5 1 .",
    ]);
    const result = krippendorffAlphaNominal(units);
    // Unit 12 has a single value and is unpairable.
    expect(result.items).toBe(11);
    expect(result.pairable).toBe(40);
    expect(result.alpha).toBeCloseTo(0.743, 3);
  });

  it("a variable number of values per unit (hand-computed: α = 1/5)", () => {
    // n.. = 9 (the single "c" is unpairable); n_a = 5, n_b = 4 → Σ n_c (n_c − 1) = 20 + 12 = 32.
    // Σ o_cc = 2/2 + 2/1 + 6/3 = 5 (agreeing ordered pairs of each unit over m_u − 1).
    // α = ((n.. − 1) Σ o_cc − Σ n_c (n_c − 1)) / (n.. (n.. − 1) − Σ n_c (n_c − 1)) = (8·5 − 32) / (72 − 32) = 1/5.
    expect(krippendorffAlphaNominal(VARIABLE)).toEqual({ alpha: expect.closeTo(0.2, 12), items: 3, pairable: 9 });
  });

  it("perfect agreement is 1; no pairable unit or a single category is undefined", () => {
    expect(krippendorffAlphaNominal([["happy", "happy"], ["sad", "sad", "sad"], ["x"]]).alpha).toBe(1);
    expect(krippendorffAlphaNominal([["happy"], []])).toEqual({ alpha: null, items: 0, pairable: 0 });
    expect(
      krippendorffAlphaNominal([
        ["sad", "sad"],
        ["sad", "sad"],
      ]).alpha,
    ).toBeNull();
  });

  it("systematic disagreement is below 0", () => {
    expect(
      krippendorffAlphaNominal([
        ["happy", "sad"],
        ["sad", "happy"],
      ]).alpha,
    ).toBeLessThan(0);
  });
});
