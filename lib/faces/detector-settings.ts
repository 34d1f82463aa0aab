/**
 * The face detector's settings, pure (no Node imports): the server (lib/faces/detector.ts) and the
 * browser's live view detect with the same network, weights and thresholds.
 */

/** face-api's SSD MobileNet v1, whose weights ship in @vladmandic/face-api/model. */
export const DETECTOR_NET = "ssd_mobilenetv1";
/** The files of DETECTOR_NET in @vladmandic/face-api/model: its weights manifest and its one shard. */
export const DETECTOR_FILES = ["ssd_mobilenetv1_model-weights_manifest.json", "ssd_mobilenetv1_model.bin"] as const;

/**
 * SSD MobileNet v1 confidence below which a detection is dropped. Below face-api's default 0.5
 * because a true face turned half away scores only 0.55–0.64 on its sample photos (depending on
 * resampling), while nothing that is not a face scores even 0.1 there. A missed face costs a
 * review; a false one is just rejected by the reviewer.
 */
export const MIN_FACE_SCORE = 0.4;
/** At most this many faces per image. */
export const MAX_FACES = 100;
