// Pure (no Node imports): the browser's live view scales its frames for the detector with it too.

/**
 * Longest side of the RGB copy handed to the face detector. SSD MobileNet v1 looks at 512×512
 * anyway, so more pixels only cost memory (a 40 MP int32 tensor would be ~480 MB). 768 rather
 * than 512 because face-api's own last resize is bilinear without antialiasing; on its sample
 * photos 768 gave the weakest true faces their best scores (0.64, 0.78; 0.55 at 1024).
 */
export const DETECTOR_MAX_SIDE = 768;
