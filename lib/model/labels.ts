/** The emotion classes in the order the FER2013 models output them (digits 1–7 in the UI). */
export const EMOTION_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];
