import crypto from "node:crypto";
import { dawidSkene } from "@/lib/agreement/dawid-skene";
import { isEmotionLabel } from "@/lib/dataset/verdict-label";

/** How a face's training label is formed from its verdicts (a job parameter). */
export type LabelAggregation = "majority" | "dawid-skene";

/** One verdict with the label it gives its face: confirmed → predicted, corrected → corrected. */
export interface ReviewedRow {
  reviewId: number;
  reviewerId: number;
  faceId: number;
  cropSha256: string;
  cropPath: string;
  label: string;
  at: Date;
}

export interface SnapshotItem {
  cropSha256: string;
  cropPath: string;
  label: string;
  /** The verdicts this label stands on (one per reviewer, each reviewer's last). */
  reviewIds: number[];
  /** Held out for evaluation, never trained on. */
  holdout: boolean;
  /** How the label was reached: the rule, the verdicts counted, those for the label, and (Dawid–Skene) its posterior. */
  formed: {
    method: LabelAggregation | "adjudicated" | "golden";
    votes: number;
    support: number;
    posterior?: number;
  };
}

export interface Snapshot {
  /** Trainable faces (and the held-out slice), sorted by crop hash. */
  items: SnapshotItem[];
  /** The golden set's faces with their labels: evaluated, never trained on. */
  golden: SnapshotItem[];
  /** SHA-256 over items and golden: the dataset's identity for lineage. */
  hash: string;
  aggregation: LabelAggregation;
  excluded: {
    ties: number;
    goldenFaces: number;
    duplicateFaces: number;
    notAFace: number;
    unsure: number;
    /** Faces an admin excluded from training (set when the snapshot is frozen). */
    byAdmin?: number;
  };
}

/**
 * Freezes the reviewed faces into a dataset. Faces with the same crop (same hash) are one sample;
 * each reviewer counts once, with their last verdict (control verdicts never reach here). The label:
 * an admin's adjudication when there is one; else the majority (a tie leaves the face out until it
 * is adjudicated), or with `aggregation: "dawid-skene"` the most probable class once every
 * reviewer's confusion matrix has been estimated from all the verdicts. Faces whose label is "not a
 * face" or "can't tell" are left out and counted. Faces in the golden set go to `golden` only, with
 * their fixed golden label. A stratified `holdoutFraction` of each class (chosen by hash, so the
 * same faces are held out for the same seed) is marked `holdout`.
 */
export function buildSnapshot(
  rows: ReviewedRow[],
  opts: {
    goldenHashes: ReadonlySet<string>;
    goldenLabels?: ReadonlyMap<string, string>;
    adjudicated?: ReadonlyMap<string, string>;
    aggregation?: LabelAggregation;
    holdoutFraction?: number;
    seed?: string;
  },
): Snapshot {
  const aggregation = opts.aggregation ?? "majority";
  const byHash = new Map<string, ReviewedRow[]>();
  for (const r of rows) {
    const list = byHash.get(r.cropSha256);
    if (list) list.push(r);
    else byHash.set(r.cropSha256, [r]);
  }
  const groups = [...byHash.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([hash, group], index) => ({ hash, group, index, voters: lastByReviewer(group) }));
  const estimated = aggregation === "dawid-skene" ? dawidSkeneLabels(groups) : null;

  const excluded = { ties: 0, goldenFaces: 0, duplicateFaces: 0, notAFace: 0, unsure: 0 };
  const items: SnapshotItem[] = [];
  const golden: SnapshotItem[] = [];
  for (const { hash, group, index, voters } of groups) {
    excluded.duplicateFaces += new Set(group.map((r) => r.faceId)).size - 1;
    const votes = voters.map((r) => r.label);
    const count = (label: string) => votes.filter((v) => v === label).length;
    let label: string | null;
    let formed: SnapshotItem["formed"];
    const adjudicated = opts.adjudicated?.get(hash);
    const goldenLabel = opts.goldenHashes.has(hash) ? opts.goldenLabels?.get(hash) : undefined;
    if (goldenLabel !== undefined) {
      label = goldenLabel;
      formed = { method: "golden", votes: votes.length, support: count(label) };
    } else if (adjudicated !== undefined) {
      label = adjudicated;
      formed = { method: "adjudicated", votes: votes.length, support: count(label) };
    } else if (estimated) {
      const e = estimated.get(index)!;
      label = e.label;
      formed = { method: "dawid-skene", votes: votes.length, support: count(label), posterior: e.posterior };
    } else {
      label = majorityLabel(votes);
      formed = { method: "majority", votes: votes.length, support: label === null ? 0 : count(label) };
    }
    if (label === null) {
      excluded.ties += 1;
      continue;
    }
    if (!isEmotionLabel(label)) {
      if (label === "not_a_face") excluded.notAFace += 1;
      else excluded.unsure += 1;
      continue;
    }
    const item: SnapshotItem = {
      cropSha256: hash,
      cropPath: group[0]!.cropPath,
      label,
      reviewIds: voters.map((r) => r.reviewId).sort((a, b) => a - b),
      holdout: false,
      formed,
    };
    if (opts.goldenHashes.has(hash)) {
      excluded.goldenFaces += 1;
      golden.push(item);
    } else {
      items.push(item);
    }
  }
  markHoldout(items, opts.holdoutFraction ?? 0.2, opts.seed ?? "");
  return { items, golden, hash: snapshotHash(items, golden), aggregation, excluded };
}

/** Each reviewer's last verdict in a group (a reviewer who changed their mind counts once). */
function lastByReviewer(group: ReviewedRow[]): ReviewedRow[] {
  const last = new Map<number, ReviewedRow>();
  for (const r of group) {
    const prev = last.get(r.reviewerId);
    if (!prev || r.at > prev.at || (r.at.getTime() === prev.at.getTime() && r.reviewId > prev.reviewId)) {
      last.set(r.reviewerId, r);
    }
  }
  return [...last.values()];
}

/** Dawid–Skene over every group at once: each group's most probable label and its posterior. */
function dawidSkeneLabels(groups: { index: number; voters: ReviewedRow[] }[]) {
  const observations = groups.flatMap((g) =>
    g.voters.map((r) => ({ item: g.index, worker: r.reviewerId, label: r.label })),
  );
  const labels = [...new Set(observations.map((o) => o.label))].sort();
  const result = dawidSkene(observations, { labels, maxIterations: 500 });
  const out = new Map<number, { label: string; posterior: number }>();
  for (const g of groups) {
    const posterior = result.posteriors.get(g.index);
    const label = result.labels.get(g.index);
    if (posterior && label !== undefined) {
      out.set(g.index, { label, posterior: Math.round(Math.max(...posterior) * 1e4) / 1e4 });
    }
  }
  return out;
}

/** The label most votes give (one vote per reviewer); null on a tie for first place, or no votes. */
export function majorityLabel(votes: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const label of votes) counts.set(label, (counts.get(label) ?? 0) + 1);
  const [top, second] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (!top || (second && second[1] === top[1])) return null;
  return top[0];
}

/** Per class, the `fraction` of items whose seeded hash sorts first; classes with one item stay in training. */
function markHoldout(items: SnapshotItem[], fraction: number, seed: string) {
  const byLabel = new Map<string, SnapshotItem[]>();
  for (const it of items) byLabel.set(it.label, [...(byLabel.get(it.label) ?? []), it]);
  for (const group of byLabel.values()) {
    if (group.length < 2) continue;
    const n = Math.min(group.length - 1, Math.max(1, Math.round(group.length * fraction)));
    const order = group
      .map((it) => ({
        it,
        key: crypto
          .createHash("sha256")
          .update(seed + it.cropSha256)
          .digest("hex"),
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
    for (const { it } of order.slice(0, n)) it.holdout = true;
  }
}

function snapshotHash(items: SnapshotItem[], golden: SnapshotItem[]): string {
  const h = crypto.createHash("sha256");
  for (const it of items) h.update(`t ${it.cropSha256} ${it.label} ${it.holdout ? 1 : 0} ${it.reviewIds.join(",")}\n`);
  for (const it of golden) h.update(`g ${it.cropSha256} ${it.label} ${it.reviewIds.join(",")}\n`);
  return h.digest("hex");
}
