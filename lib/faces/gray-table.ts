import "server-only";
import sharp from "sharp";
import type { GrayImage, RgbImage } from "@/lib/images/decode";
import { assertWholeBoxInside, type Box } from "./square-box";

/**
 * sharp's grey (`toColourspace("b-w")`, the grey every face crop is cut from) for every 8-bit RGB
 * colour, made once by sharp itself: 2^24 colours as one 4096×4096 image, 16 MB. The conversion is
 * per pixel, so looking a pixel's colour up gives exactly the grey sharp gives it in any image
 * (tested), and grey is made only where it is needed: a video frame needs it inside its faces'
 * boxes, a few percent of the frame, where sharp converted the whole 1280×720 frame (5.6 ms).
 */
let table: Promise<Uint8Array> | null = null;

export function sharpGrayTable(): Promise<Uint8Array> {
  table ??= (async () => {
    const side = 4096;
    const colours = Buffer.allocUnsafe(side * side * 3);
    for (let c = 0, p = 0; c < side * side; c++, p += 3) {
      colours[p] = c >>> 16;
      colours[p + 1] = (c >>> 8) & 0xff;
      colours[p + 2] = c & 0xff;
    }
    const grey = await sharp(colours, { raw: { width: side, height: side, channels: 3 } })
      .toColourspace("b-w")
      .raw({ depth: "uchar" })
      .toBuffer();
    if (grey.length !== side * side) throw new Error(`sharp's grey table has ${grey.length} entries`);
    return new Uint8Array(grey.buffer, grey.byteOffset, grey.length);
  })();
  table.catch(() => (table = null));
  return table;
}

/**
 * The grey pixels of `box` (whole pixels inside the image) of an RGB image, as sharp's
 * `toColourspace("b-w")` of the whole image has them there.
 */
export function grayRegion(lookup: Uint8Array, image: RgbImage, box: Box): GrayImage {
  assertWholeBoxInside(box, image.width, image.height, "region");
  const { x, y, width, height } = box;
  const src = image.data;
  const out = new Uint8Array(width * height);
  for (let row = 0, o = 0; row < height; row++) {
    for (let p = ((y + row) * image.width + x) * 3, end = p + width * 3; p < end; p += 3) {
      out[o++] = lookup[(src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!]!;
    }
  }
  return { data: out, width, height, channels: 1 };
}
