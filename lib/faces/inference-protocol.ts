// Messages between the app and its inference thread (lib/faces/inference.ts ↔ inference-worker.ts).
import type { FaceDetectorName } from "./detector-settings";

export interface DetectRequest {
  id: number;
  op: "detect";
  detector: FaceDetectorName;
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Search only these regions of the image (the Tiny detector; see lib/faces/region-search.ts). */
  regions?: { x: number; y: number; width: number; height: number }[];
}

export interface PredictRequest {
  id: number;
  op: "predict";
  /** The version's folder (already checksum-verified by the app). */
  modelDir: string;
  /** Encoded crops (PNG), or grey pixels (a video frame's crops, never encoded). */
  images: (Uint8Array | { data: Uint8Array; width: number; height: number; channels: 1 })[];
}

export type InferenceRequest = DetectRequest | PredictRequest;

export type InferenceReply =
  | {
      id: number;
      faces: { x: number; y: number; width: number; height: number; score: number }[];
    }
  | {
      id: number;
      probabilities: Float32Array[];
      /** Which forward batch answered (numbered by the thread), and how many crops it held. */
      batch: number;
      batchSize: number;
    }
  | { id: number; error: string };
