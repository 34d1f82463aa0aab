import { describe, expect, it } from "vitest";
import { agreementReport, type FaceVerdicts } from "@/lib/agreement/reviewer-agreement";

const LABELS = ["happy", "sad", "neutral"];

/** A face from "reviewerId:label" strings. */
function face(faceId: number, ...verdicts: string[]): FaceVerdicts {
  return {
    faceId,
    verdicts: verdicts.map((v) => {
      const [reviewerId, label] = v.split(":");
      return { reviewerId: Number(reviewerId), label: label! };
    }),
  };
}

// "confused" is outside LABELS; faces 5 and 7 have a single verdict.
const FACES = [
  face(1, "1:happy", "2:happy", "3:happy"),
  face(2, "1:sad", "2:sad", "3:happy"),
  face(3, "1:happy", "2:sad"),
  face(4, "1:neutral", "2:neutral", "4:confused"),
  face(5, "3:sad"),
  face(6, "1:sad", "3:sad"),
  face(7, "5:happy"),
];

describe("agreementReport", () => {
  it("overall figures over the faces with 2 verdicts or more", () => {
    // Faces 1, 2, 3, 4, 6: [h h h], [s s h], [h s], [n n c], [s s].
    // P_i = 1, 1/3, 0, 1/3, 1 → P̄ = 8/15.
    // 13 verdicts: happy 5, sad 5, neutral 2, confused 1 → P̄e = (25 + 25 + 4 + 1) / 169 = 55/169;
    //   Fleiss κ = (8/15 − 55/169) / (114/169) = 527/1710.
    // Krippendorff: Σ n_c (n_c − 1) = 20 + 20 + 2 = 42; Σ o_cc = 6/2 + 2/2 + 0 + 2/2 + 2/1 = 7;
    //   α = (12·7 − 42) / (13·12 − 42) = 42/114 = 7/19.
    const { overall } = agreementReport(FACES, LABELS);
    expect(overall.faces).toBe(5);
    expect(overall.percentAgreement).toBeCloseTo(8 / 15, 12);
    expect(overall.fleissKappa).toBeCloseTo(527 / 1710, 12);
    expect(overall.krippendorffAlpha).toBeCloseTo(7 / 19, 12);
  });

  it("each reviewer against the others' majority, by reviewerId", () => {
    const { reviewers } = agreementReport(FACES, LABELS);
    expect(reviewers.map((r) => r.reviewerId)).toEqual([1, 2, 3, 4, 5]);
    const [one, two, three, four, five] = reviewers;

    // Reviewer 1: face 1 others happy (own happy ✓); face 2 others sad/happy (tie); face 3 others sad
    // (own happy ✗); face 4 others neutral/confused (tie); face 6 others sad (own sad ✓).
    // Pairs (others, own): (h, h), (s, h), (s, s) → p_o = 2/3, p_e = (1·2 + 2·1) / 9 = 4/9, κ = (2/9) / (5/9) = 2/5.
    expect(one).toEqual({
      reviewerId: 1,
      compared: 3,
      agreed: 2,
      agreement: expect.closeTo(2 / 3, 12),
      kappa: expect.closeTo(0.4, 12),
      ties: 2,
      confusion: [
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 0],
      ],
      outside: 0,
    });

    // Reviewer 2: face 1 others happy ✓; face 2 tie; face 3 others happy (own sad ✗); face 4 tie.
    // Pairs (h, h), (h, s) → p_o = 1/2, p_e = 2·1 / 4 = 1/2, κ = 0.
    expect(two).toEqual({
      reviewerId: 2,
      compared: 2,
      agreed: 1,
      agreement: 0.5,
      kappa: expect.closeTo(0, 12),
      ties: 2,
      confusion: [
        [1, 1, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
      outside: 0,
    });

    // Reviewer 3: face 1 others happy ✓; face 2 others sad (own happy ✗); face 5 alone (not compared);
    // face 6 others sad ✓. The same pairs as reviewer 1: κ = 2/5.
    expect(three).toMatchObject({ compared: 3, agreed: 2, ties: 0, outside: 0 });
    expect(three!.kappa).toBeCloseTo(0.4, 12);
    expect(three!.confusion).toEqual(one!.confusion);

    // Reviewer 4: face 4 others neutral, own "confused" (outside LABELS): compared, disagreed, not in the matrix.
    // One pair (n, c): p_o = 0, p_e = 0 → κ = 0.
    expect(four).toMatchObject({ compared: 1, agreed: 0, agreement: 0, kappa: 0, ties: 0, outside: 1 });
    expect(four!.confusion.flat().every((count) => count === 0)).toBe(true);

    // Reviewer 5 labelled only face 7, which nobody else saw.
    expect(five).toMatchObject({ compared: 0, agreed: 0, agreement: null, kappa: null, ties: 0, outside: 0 });
  });

  it("a consensus outside the labels is counted in `outside`, not in the matrix", () => {
    const { reviewers } = agreementReport([face(1, "1:confused", "2:confused", "3:happy")], LABELS);
    // Reviewer 3: others confused ×2 → consensus "confused", own happy.
    expect(reviewers[2]).toMatchObject({ reviewerId: 3, compared: 1, agreed: 0, outside: 1 });
    // Reviewers 1 and 2: others confused/happy → tie.
    expect(reviewers[0]).toMatchObject({ compared: 0, ties: 1 });
  });

  it("nothing to compare: empty figures", () => {
    expect(agreementReport([], LABELS)).toEqual({
      overall: { faces: 0, percentAgreement: null, fleissKappa: null, krippendorffAlpha: null },
      reviewers: [],
    });
  });

  it("refuses two verdicts from one reviewer on a face", () => {
    expect(() => agreementReport([face(9, "1:happy", "1:sad")], LABELS)).toThrow(
      /face 9 has two verdicts from reviewer 1/,
    );
  });
});
