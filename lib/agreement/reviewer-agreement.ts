import { cohensKappa, fleissKappa, krippendorffAlphaNominal, percentAgreement } from "./kappa";

/** The verdicts given on one face: at most one per reviewer. */
export interface FaceVerdicts {
  faceId: number;
  verdicts: ReadonlyArray<{ reviewerId: number; label: string }>;
}

/**
 * One reviewer measured against the others: on each face they labelled, their label is compared
 * with the majority label of the other reviewers of that face (leave-one-out consensus), so a
 * reviewer is never compared with a consensus they helped make.
 */
export interface ReviewerAgreement {
  reviewerId: number;
  /** Faces where the reviewer and at least one other reviewer gave a verdict, and the others had a single majority label. */
  compared: number;
  /** Of those, the faces where the reviewer's label is the others' majority label. */
  agreed: number;
  /** agreed / compared; null when nothing was compared. */
  agreement: number | null;
  /** Cohen's κ between the others' majority labels and the reviewer's labels over the compared faces; null when undefined. */
  kappa: number | null;
  /** Faces skipped because the other reviewers' labels were tied for the majority. */
  ties: number;
  /**
   * Counts over the compared faces: rows are the others' majority label, columns the reviewer's
   * label, both in the order of the `labels` given to {@link agreementReport}.
   */
  confusion: number[][];
  /** Compared faces left out of `confusion` because either label is not in `labels` (still counted in the figures above). */
  outside: number;
}

/** Agreement among all reviewers at once, over the faces with at least 2 verdicts. */
export interface OverallAgreement {
  /** Faces with at least 2 verdicts. */
  faces: number;
  /** The mean share of agreeing pairs of verdicts per face ({@link percentAgreement}); null with no such face. */
  percentAgreement: number | null;
  /** Fleiss' κ, with a variable number of reviewers per face ({@link fleissKappa}). */
  fleissKappa: number | null;
  /** Krippendorff's α for nominal labels ({@link krippendorffAlphaNominal}). */
  krippendorffAlpha: number | null;
}

export interface AgreementReport {
  overall: OverallAgreement;
  /** One entry per reviewer who gave any verdict, by ascending reviewerId. */
  reviewers: ReviewerAgreement[];
}

/** The single most frequent label, or null when two or more labels share the highest count. */
function majority(labels: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  let tied = false;
  for (const [label, count] of counts) {
    if (count > bestCount) [best, bestCount, tied] = [label, count, false];
    else if (count === bestCount) tied = true;
  }
  return tied ? null : best;
}

/**
 * Inter-reviewer agreement over the given faces: overall figures (every distinct label, including
 * ones outside `labels`, is a category of its own) and each reviewer against the others.
 * `labels` only orders the confusion matrices. Throws when a reviewer has two verdicts on one face.
 */
export function agreementReport(faces: ReadonlyArray<FaceVerdicts>, labels: readonly string[]): AgreementReport {
  const column = new Map(labels.map((label, j) => [label, j]));
  if (column.size !== labels.length) throw new Error("agreementReport: labels has a repeated label");

  for (const face of faces) {
    const seen = new Set<number>();
    for (const { reviewerId } of face.verdicts) {
      if (seen.has(reviewerId))
        throw new Error(`agreementReport: face ${face.faceId} has two verdicts from reviewer ${reviewerId}`);
      seen.add(reviewerId);
    }
  }

  const ratings = faces.map((face) => face.verdicts.map((v) => v.label));
  const overall: OverallAgreement = {
    faces: ratings.filter((r) => r.length >= 2).length,
    percentAgreement: percentAgreement(ratings).agreement,
    fleissKappa: fleissKappa(ratings).kappa,
    krippendorffAlpha: krippendorffAlphaNominal(ratings).alpha,
  };

  type Tally = { pairs: [string, string][]; ties: number; confusion: number[][]; outside: number };
  const tallies = new Map<number, Tally>();
  for (const face of faces) {
    for (const { reviewerId, label } of face.verdicts) {
      let tally = tallies.get(reviewerId);
      if (!tally) {
        tally = { pairs: [], ties: 0, confusion: labels.map(() => labels.map(() => 0)), outside: 0 };
        tallies.set(reviewerId, tally);
      }
      const others = face.verdicts.filter((v) => v.reviewerId !== reviewerId).map((v) => v.label);
      if (others.length === 0) continue;
      const consensus = majority(others);
      if (consensus === null) {
        tally.ties++;
        continue;
      }
      tally.pairs.push([consensus, label]);
      const row = column.get(consensus);
      const col = column.get(label);
      if (row === undefined || col === undefined) tally.outside++;
      else tally.confusion[row]![col]!++;
    }
  }

  const reviewers = [...tallies]
    .sort(([a], [b]) => a - b)
    .map(([reviewerId, { pairs, ties, confusion, outside }]): ReviewerAgreement => {
      const agreed = pairs.filter(([consensus, own]) => consensus === own).length;
      return {
        reviewerId,
        compared: pairs.length,
        agreed,
        agreement: pairs.length === 0 ? null : agreed / pairs.length,
        kappa: cohensKappa(pairs).kappa,
        ties,
        confusion,
        outside,
      };
    });
  return { overall, reviewers };
}
