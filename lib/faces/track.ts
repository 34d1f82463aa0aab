/**
 * Following faces from one frame to the next by overlap (IoU), for video files and the webcam.
 * Pure (no Node imports): the browser tracks with it too.
 */

export interface TrackBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Intersection over union of two boxes: 0 when apart, 1 when the same. */
export function iou(a: TrackBox, b: TrackBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

export interface TrackerOptions {
  /** A box continues a track only when they overlap at least this much. Default 0.3. */
  minIou?: number;
  /** Frames a track may go unseen (a missed detection, a turned head) before it ends. Default 2. */
  maxMissed?: number;
}

interface LiveTrack {
  id: number;
  box: TrackBox;
  missed: number;
}

/**
 * Assigns each frame's boxes to tracks: greedily, the pair with the highest IoU first, so two faces
 * close together never swap; a box that continues no track starts a new one. Track ids count from 1
 * and are never reused.
 */
export class IouTracker {
  private readonly minIou: number;
  private readonly maxMissed: number;
  private tracks: LiveTrack[] = [];
  private nextId = 1;

  constructor(opts: TrackerOptions = {}) {
    this.minIou = opts.minIou ?? 0.3;
    this.maxMissed = opts.maxMissed ?? 2;
  }

  /** The track id of each box of this frame, in the boxes' order. */
  update(boxes: readonly TrackBox[]): number[] {
    const pairs: { t: number; b: number; overlap: number }[] = [];
    this.tracks.forEach((track, t) =>
      boxes.forEach((box, b) => {
        const overlap = iou(track.box, box);
        if (overlap >= this.minIou) pairs.push({ t, b, overlap });
      }),
    );
    pairs.sort((p, q) => q.overlap - p.overlap || p.t - q.t || p.b - q.b);
    const ids = new Array<number>(boxes.length).fill(0);
    const taken = new Set<number>();
    for (const { t, b } of pairs) {
      if (taken.has(t) || ids[b] !== 0) continue;
      taken.add(t);
      const track = this.tracks[t]!;
      track.box = boxes[b]!;
      track.missed = 0;
      ids[b] = track.id;
    }
    this.tracks.forEach((track, t) => {
      if (!taken.has(t)) track.missed++;
    });
    this.tracks = this.tracks.filter((track) => track.missed <= this.maxMissed);
    boxes.forEach((box, b) => {
      if (ids[b] !== 0) return;
      const id = this.nextId++;
      this.tracks.push({ id, box, missed: 0 });
      ids[b] = id;
    });
    return ids;
  }
}
