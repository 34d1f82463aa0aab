/** One sampled frame of a track, as VideoTrack.frames stores it. */
export interface StoredFrame {
  /** Seconds from the start of the video (sample index / fps). */
  t: number;
  /** The crop's square region, in pixels of the displayed frame (Video.width × Video.height). */
  box: { x: number; y: number; width: number; height: number };
  /** The face detector's score. */
  score: number;
  label: string;
  confidence: number;
  /** In the model version's label order. */
  probabilities: number[];
  /** Top-1 minus top-2 probability. */
  margin: number;
}
