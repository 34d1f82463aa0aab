/**
 * What a video's tracks add up to: each emotion's share of face-time, and the stretches in which a
 * target emotion dominates a face. Pure functions over the stored frames.
 */

export interface LabelledFrame {
  /** Seconds from the start of the video. */
  t: number;
  /** The model's top label for the face in this frame. */
  label: string;
}

export interface Segment {
  track_id: number;
  emotion: string;
  start_s: number;
  end_s: number;
}

/** Frames on top that a segment needs. */
export const MIN_SEGMENT_FRAMES = 2;

/**
 * Each label's share of face-time: every sampled frame of every track stands for the same time
 * (1 / fps), so the share is the label's count of top-label frames over all face frames. The
 * shares sum to 1 when any face was seen; with none, every share is 0.
 */
export function summarizeFaceTime(
  tracks: readonly { frames: readonly LabelledFrame[] }[],
  labels: readonly string[],
): Record<string, number> {
  const counts = new Map<string, number>(labels.map((l) => [l, 0]));
  let total = 0;
  for (const track of tracks) {
    for (const f of track.frames) {
      counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
      total++;
    }
  }
  return Object.fromEntries([...counts].map(([l, n]) => [l, total ? n / total : 0]));
}

/**
 * Where a target emotion dominates a track. An emotion dominates from one sampled frame to another
 * when it is the face's top label in both and in every sampled frame between them, except that a gap
 * of one sampled frame is bridged (another label on top, or the face not found in that frame),
 * and the stretch has at least MIN_SEGMENT_FRAMES frames with it on top. A segment runs from its
 * first such frame's time to its last one's plus one sampling interval (1 / fps), at most to the end
 * of the video. Sorted by start, then track.
 */
export function dominantSegments(
  tracks: readonly { track_id: number; frames: readonly LabelledFrame[] }[],
  targets: readonly string[],
  fps: number,
  durationS: number,
): Segment[] {
  const step = 1 / fps;
  const out: Segment[] = [];
  for (const track of tracks) {
    for (const emotion of targets) {
      // Sample indices (time × fps) of the frames where this emotion is on top, in time order.
      const on = track.frames
        .filter((f) => f.label === emotion)
        .map((f) => ({ k: Math.round(f.t * fps), t: f.t }))
        .sort((a, b) => a.k - b.k);
      let run: typeof on = [];
      const close = () => {
        if (run.length >= MIN_SEGMENT_FRAMES) {
          out.push({
            track_id: track.track_id,
            emotion,
            start_s: round3(run[0]!.t),
            end_s: round3(Math.min(durationS, run.at(-1)!.t + step)),
          });
        }
        run = [];
      };
      for (const f of on) {
        // k − previous k: 1 is the next frame, 2 bridges one frame; more ends the stretch.
        if (run.length && f.k - run.at(-1)!.k > 2) close();
        run.push(f);
      }
      close();
    }
  }
  return out.sort((a, b) => a.start_s - b.start_s || a.track_id - b.track_id || a.emotion.localeCompare(b.emotion));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
