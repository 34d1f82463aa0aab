/**
 * Detection for a stream of frames (a video file's samples, the webcam): a full detection when one
 * is due, and in between a search only around the faces of the frame before (region-search.ts),
 * about a third of the cost with three faces. Pure (no Node imports): the server's video analysis
 * and the browser's live view decide alike.
 *
 * A full detection is due:
 * - on the first frame, and whenever the frame before had no face;
 * - when `fullEverySeconds` have passed since the last one, so a face that comes into view is
 *   found within that time (and stream time going backwards, a seek, counts as due);
 * - when a region loses its face (nothing found there overlapping it: the face turned away, left,
 *   or moved more than its region allows), and the same frame is searched whole at once. A face
 *   the whole frame shows again where its region lost it is left out: the region, a closer look,
 *   found no face there (the Tiny detector's false finds do this; a real face is found by the next
 *   periodic full detection).
 */
import type { Box } from "./square-box";
import { searchRegion } from "./region-search";
import { iou } from "./track";

/** A box continues a face when they overlap at least this much (as IouTracker continues a track). */
const FOLLOW_IOU = 0.3;
/** A full detection at least this often by default, in seconds of the stream. */
export const FULL_DETECTION_EVERY_S = 1;

export interface FollowedFrame<F extends Box> {
  faces: F[];
  /** Whether the frame was searched whole (else only around the faces before). */
  full: boolean;
}

export interface FaceFollowerStats {
  frames: number;
  fullDetections: number;
  regionSearches: number;
}

export class FaceFollower<F extends Box> {
  private faces: F[] = [];
  private lastFullT = Number.NEGATIVE_INFINITY;
  private readonly stats: FaceFollowerStats = { frames: 0, fullDetections: 0, regionSearches: 0 };

  constructor(private readonly opts: { fullEverySeconds?: number; regionSearch?: boolean } = {}) {}

  /**
   * The faces of the frame at time `t` (seconds) of a `width`×`height` stream: `detect` searches
   * the whole frame, `inRegions` only the given regions (absent: always whole, e.g. a detector
   * without region search). Frames must be given in order, one at a time.
   */
  async next(
    t: number,
    size: { width: number; height: number },
    detect: () => Promise<F[]>,
    inRegions?: (regions: Box[]) => Promise<F[]>,
  ): Promise<FollowedFrame<F>> {
    this.stats.frames++;
    const every = this.opts.fullEverySeconds ?? FULL_DETECTION_EVERY_S;
    const due = this.faces.length === 0 || !(t - this.lastFullT < every) || t < this.lastFullT;
    let refuted: F[] = [];
    if (!due && inRegions && this.opts.regionSearch !== false) {
      this.stats.regionSearches++;
      const before = this.faces;
      const found = await inRegions(before.map((f) => searchRegion(f, size.width, size.height)));
      // A face is followed when its region found a box overlapping it; a box a region found
      // beside its face (a neighbour's, cut by the region's edge) is left to full detections.
      const followed = found.filter((g) => before.some((f) => iou(f, g) >= FOLLOW_IOU));
      refuted = before.filter((f) => !followed.some((g) => iou(f, g) >= FOLLOW_IOU));
      if (refuted.length === 0) {
        this.faces = followed;
        return { faces: followed, full: false };
      }
    }
    this.stats.fullDetections++;
    const whole = await detect();
    // A full detection that finds again, where it was, a face its region just lost has found what
    // the closer look did not take for a face (the Tiny detector's false finds at full size): left out.
    this.faces = whole.filter((w) => !refuted.some((f) => iou(f, w) >= FOLLOW_IOU));
    this.lastFullT = t;
    return { faces: this.faces, full: true };
  }

  /** Frames seen, and how each was searched (a lost face counts a region search and a full detection). */
  counts(): FaceFollowerStats {
    return { ...this.stats };
  }
}
