/**
 * Steadier labels for faces followed over frames (lib/faces/track): an exponential moving average
 * of each track's probabilities, so a label does not flicker between two close classes from one
 * frame to the next. Pure (no Node imports): the browser's live view smooths with it.
 */

export interface SmootherOptions {
  /** Weight of the newest frame, 0 < alpha ≤ 1 (1 = no smoothing). Default 0.35: about 5 frames of memory. */
  alpha?: number;
  /** Frames a track may go without an update before its average is forgotten. Default 30. */
  forgetAfter?: number;
}

interface TrackAverage {
  mean: number[];
  lastFrame: number;
}

export class ProbabilitySmoother {
  private readonly alpha: number;
  private readonly forgetAfter: number;
  private readonly tracks = new Map<number, TrackAverage>();
  private frame = 0;

  constructor(opts: SmootherOptions = {}) {
    this.alpha = opts.alpha ?? 0.35;
    this.forgetAfter = opts.forgetAfter ?? 30;
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${this.alpha}`);
  }

  /**
   * One frame: each face's track id (IouTracker.update) and its probabilities this frame.
   * @returns the smoothed probabilities of each face, in the same order (a new track starts at its own).
   */
  update(trackIds: readonly number[], probabilities: readonly ArrayLike<number>[]): number[][] {
    if (trackIds.length !== probabilities.length) {
      throw new Error(`${trackIds.length} track ids for ${probabilities.length} probability vectors`);
    }
    this.frame++;
    const out = trackIds.map((id, i) => {
      const p = Array.from(probabilities[i]!);
      const track = this.tracks.get(id);
      const mean = track && track.mean.length === p.length ? track.mean.map((m, k) => m + this.alpha * (p[k]! - m)) : p;
      this.tracks.set(id, { mean, lastFrame: this.frame });
      return mean;
    });
    for (const [id, track] of this.tracks) {
      if (this.frame - track.lastFrame > this.forgetAfter) this.tracks.delete(id);
    }
    return out;
  }

  /** Tracks with an average kept (for tests and diagnostics). */
  get size(): number {
    return this.tracks.size;
  }
}

/** Index of the largest value (the first on a tie); -1 for an empty vector. */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (best < 0 || values[i]! > values[best]!) best = i;
  return best;
}
