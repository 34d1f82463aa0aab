/**
 * Where a face's crop is cut: pure geometry (no Node imports), so the server's upload pipeline and
 * the browser's live view cut the very same square.
 */

/** Side of the square grayscale crops the emotion model reads (FER-2013 format). */
export const CROP_SIZE = 48;
/** Room kept around a detected face on each side, as a fraction of the face's larger side. */
export const DEFAULT_MARGIN = 0.2;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The square, whole-pixel region to cut for a face: centred on the box, side
 * `max(width, height) × (1 + 2 × margin)`, always inside the image.
 *
 * At an edge the square is shifted inward rather than cut short or padded: it stays square, so
 * the resize to 48×48 never stretches the face, and it contains only real pixels, like the
 * training data. The face is then off-centre but still whole. Only when the square is larger
 * than the image's shorter side does it shrink, to that side.
 */
export function expandBox(box: Box, imageW: number, imageH: number, margin = DEFAULT_MARGIN): Box {
  if (!(imageW >= 1 && imageH >= 1)) throw new RangeError(`expandBox: empty image ${imageW}×${imageH}`);
  const wanted = Math.round(Math.max(box.width, box.height) * (1 + 2 * margin));
  const side = Math.max(1, Math.min(wanted, Math.floor(imageW), Math.floor(imageH)));
  const place = (centre: number, limit: number) =>
    Math.min(Math.max(0, Math.round(centre - side / 2)), Math.floor(limit) - side);
  return {
    x: place(box.x + box.width / 2, imageW),
    y: place(box.y + box.height / 2, imageH),
    width: side,
    height: side,
  };
}

/** The largest centred square of a `width`×`height` image. */
export function centerSquare(width: number, height: number): Box {
  const side = Math.min(width, height);
  return {
    x: Math.floor((width - side) / 2),
    y: Math.floor((height - side) / 2),
    width: side,
    height: side,
  };
}

/**
 * A detector's box clipped to the image; null when less than a pixel of it is left. The detector
 * may answer boxes reaching past the edges.
 */
export function clipToImage(box: Box, width: number, height: number): Box | null {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const right = Math.min(width, box.x + box.width);
  const bottom = Math.min(height, box.y + box.height);
  if (right - x < 1 || bottom - y < 1) return null;
  return { x, y, width: right - x, height: bottom - y };
}

/** Throws a RangeError unless `box` is whole pixels, at least one a side, inside a `width`×`height` image. */
export function assertWholeBoxInside(box: Box, width: number, height: number, what = "crop box"): void {
  const { x, y, width: w, height: h } = box;
  const whole = [x, y, w, h].every(Number.isInteger);
  if (!whole || x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
    throw new RangeError(`${what} ${JSON.stringify(box)} is not whole pixels inside the ${width}×${height} image`);
  }
}
