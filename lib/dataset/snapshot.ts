import crypto from "node:crypto";

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
}

export interface Snapshot {
  /** Trainable faces (and the held-out slice), sorted by crop hash. */
  items: SnapshotItem[];
  /** The golden set's faces with their labels: evaluated, never trained on. */
  golden: SnapshotItem[];
  /** SHA-256 over items and golden: the dataset's identity for lineage. */
  hash: string;
  excluded: { ties: number; goldenFaces: number; duplicateFaces: number };
}

/**
 * Freezes the reviewed faces into a dataset. Faces with the same crop (same hash) are one sample;
 * each reviewer counts once, with their last verdict; the majority label wins and a tie leaves the
 * face out. Faces in the golden set go to `golden` only. A stratified `holdoutFraction` of each
 * class (chosen by hash, so the same faces are held out for the same seed) is marked `holdout`.
 */
export function buildSnapshot(
  rows: ReviewedRow[],
  opts: { goldenHashes: ReadonlySet<string>; holdoutFraction?: number; seed?: string },
): Snapshot {
  const byHash = new Map<string, ReviewedRow[]>();
  for (const r of rows) {
    const list = byHash.get(r.cropSha256);
    if (list) list.push(r);
    else byHash.set(r.cropSha256, [r]);
  }
  const excluded = { ties: 0, goldenFaces: 0, duplicateFaces: 0 };
  const items: SnapshotItem[] = [];
  const golden: SnapshotItem[] = [];
  for (const [hash, group] of [...byHash.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    excluded.duplicateFaces += new Set(group.map((r) => r.faceId)).size - 1;
    const lastByReviewer = new Map<number, ReviewedRow>();
    for (const r of group) {
      const prev = lastByReviewer.get(r.reviewerId);
      if (!prev || r.at > prev.at || (r.at.getTime() === prev.at.getTime() && r.reviewId > prev.reviewId)) {
        lastByReviewer.set(r.reviewerId, r);
      }
    }
    const label = majorityLabel([...lastByReviewer.values()].map((r) => r.label));
    if (label === null) {
      excluded.ties += 1;
      continue;
    }
    const item: SnapshotItem = {
      cropSha256: hash,
      cropPath: group[0]!.cropPath,
      label,
      reviewIds: [...lastByReviewer.values()].map((r) => r.reviewId).sort((a, b) => a - b),
      holdout: false,
    };
    if (opts.goldenHashes.has(hash)) {
      excluded.goldenFaces += 1;
      golden.push(item);
    } else {
      items.push(item);
    }
  }
  markHoldout(items, opts.holdoutFraction ?? 0.2, opts.seed ?? "");
  return { items, golden, hash: snapshotHash(items, golden), excluded };
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
