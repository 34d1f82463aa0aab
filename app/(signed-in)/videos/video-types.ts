/** The JSON the videos API answers (see app/api/openapi.json/responses.ts). */
export type VideoStatus = "queued" | "running" | "done" | "failed" | "cancelled";

export interface VideoRow {
  id: number;
  name: string;
  status: VideoStatus;
  progress: number;
  duration_s: number | null;
  fps: number;
  width: number | null;
  height: number | null;
  target_emotions: string[];
  frames_sampled: number | null;
  message: string | null;
  error: string | null;
  file_url: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface VideoFrame {
  t: number;
  box: { x: number; y: number; width: number; height: number };
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
}

export interface VideoDetail extends VideoRow {
  labels: string[];
  tracks: { track_id: number; sent_to_review: number; frames: VideoFrame[] }[];
  summary: Record<string, number>;
  segments: { track_id: number; emotion: string; start_s: number; end_s: number }[];
}

/** One colour per emotion, the same on the boxes, the timelines and the summary. */
export const EMOTION_COLOURS: Record<string, string> = {
  angry: "#d9480f",
  disgust: "#5c940d",
  fear: "#7048e8",
  happy: "#f59f00",
  sad: "#1971c2",
  surprise: "#e64980",
  neutral: "#868e96",
};

export const colourOf = (label: string) => EMOTION_COLOURS[label] ?? "#495057";

export const isActive = (s: VideoStatus) => s === "queued" || s === "running";

export function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest.toFixed(1).padStart(4, "0")}`;
}
