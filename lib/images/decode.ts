import "server-only";
import crypto from "node:crypto";
import sharp, { type Metadata, type Sharp } from "sharp";
import { AppError } from "@/lib/errors/app-error";
import { DETECTOR_MAX_SIDE } from "./detector-input";

/** Largest upload accepted, in bytes (10 MiB). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Largest image accepted, in pixels (width × height, read from the header before any decoding). */
export const MAX_IMAGE_PIXELS = 40_000_000;
// The detector's input size is shared with the browser (the live view), so it lives in a pure module.
export { DETECTOR_MAX_SIDE } from "./detector-input";

export type ImageFormat = "jpeg" | "png" | "webp";

/** Uncompressed 8-bit pixels, row-major, interleaved channels. */
export interface RawImage<C extends 1 | 3 = 1 | 3> {
  data: Uint8Array;
  width: number;
  height: number;
  channels: C;
}
export type RgbImage = RawImage<3>;
export type GrayImage = RawImage<1>;

export interface DecodedImage {
  /** SHA-256 (hex) of the bytes exactly as uploaded. */
  sha256: string;
  /** Detected from the content, never from the file name. */
  format: ImageFormat;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** Size of the upload in bytes. */
  bytes: number;
  /**
   * The oriented image re-encoded without metadata (no EXIF/GPS, no orientation tag left to
   * apply twice), for storing as the "original photo": JPEG for JPEG and WebP uploads, PNG for
   * PNG uploads (lossless stays lossless).
   */
  normalized: Buffer;
  normalizedFormat: "jpeg" | "png";
  /** Oriented, alpha flattened on white, at most DETECTOR_MAX_SIDE on the longest side. */
  rgb: RgbImage;
  /** Oriented, full-resolution grayscale decoded straight from the upload; face crops come from here. */
  gray: GrayImage;
}

const FORMAT_NAMES: Record<ImageFormat, string> = { jpeg: "JPEG", png: "PNG", webp: "WebP" };
const SUPPORTED = "JPEG, PNG or WebP";

/**
 * Validates an upload by its content and decodes it fully, so corrupt or truncated files fail
 * here rather than later in the pipeline.
 *
 * @throws AppError invalid_image (empty, corrupt, truncated), unsupported_media_type (not an
 *   image, or not JPEG/PNG/WebP), payload_too_large (over MAX_UPLOAD_BYTES or MAX_IMAGE_PIXELS).
 */
export async function decodeUpload(bytes: Buffer, known: { sha256?: string } = {}): Promise<DecodedImage> {
  if (bytes.length === 0) throw new AppError("invalid_image", "The file is empty.");
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new AppError("payload_too_large", `The file is larger than ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`, {
      maxBytes: MAX_UPLOAD_BYTES,
    });
  }

  // Magic bytes first: anything else (SVG, PDF, HEIC, TIFF...) never reaches a decoder.
  const sniffed = sniffFormat(bytes);
  if (!isSupported(sniffed)) {
    throw new AppError(
      "unsupported_media_type",
      sniffed === "unknown"
        ? `The file is not a supported image (expected ${SUPPORTED}).`
        : `${sniffed} images are not supported (expected ${SUPPORTED}).`,
    );
  }

  // The header read ignores the pixel limit so that an oversized image gets a 413 that says so,
  // instead of sharp's generic error.
  const unreadable = new AppError("invalid_image", `The file looks like ${FORMAT_NAMES[sniffed]} but cannot be read.`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw unreadable;
  }
  if (meta.format !== sniffed || !meta.width || !meta.height) throw unreadable;
  const pixels = meta.width * meta.height;
  if (pixels > MAX_IMAGE_PIXELS) {
    throw new AppError(
      "payload_too_large",
      `The image is ${meta.width}×${meta.height} (${(pixels / 1e6).toFixed(1)} megapixels); ` +
        `the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
      { width: meta.width, height: meta.height, maxPixels: MAX_IMAGE_PIXELS },
    );
  }

  // failOn "error" (implies "truncated") rejects damaged pixel data but tolerates warnings such
  // as stray bytes between JPEG markers, which many phone cameras produce. limitInputPixels
  // repeats the header check inside libvips as a second line against decompression bombs.
  // An embedded sRGB profile (most camera photos carry one) would be converted to sRGB, pixel for
  // pixel the same values at twice the decoding time: it is left out. Any other profile (Display P3,
  // Adobe RGB, CMYK) is applied.
  const ignoreIcc = meta.icc !== undefined && isSrgbProfile(meta.icc);
  const oriented = () => sharp(bytes, { failOn: "error", limitInputPixels: MAX_IMAGE_PIXELS, ignoreIcc }).autoOrient();
  const normalizedFormat = sniffed === "png" ? "png" : "jpeg";

  let normalized: Buffer;
  let rgb: RgbImage;
  let gray: GrayImage;
  try {
    if (meta.depth === "uchar") {
      // 8-bit images are decoded once, oriented, flattened and in sRGB (a profile other than sRGB
      // applied once rather than three times), and the three images are made from those pixels: the
      // same pixels and bytes as three decodes of the upload, at about half the CPU.
      const full = await toRaw(oriented().flatten({ background: "#ffffff" }).toColourspace("srgb"), 3);
      const pixels = () => sharp(full.data, { raw: { width: full.width, height: full.height, channels: 3 } });
      [normalized, rgb, gray] = await Promise.all([
        normalizedFormat === "png" ? oriented().png().toBuffer() : pixels().jpeg({ quality: 90 }).toBuffer(),
        Math.max(full.width, full.height) > DETECTOR_MAX_SIDE
          ? toRaw(pixels().resize(DETECTOR_MAX_SIDE, DETECTOR_MAX_SIDE, { fit: "inside" }), 3)
          : full,
        toRaw(pixels().toColourspace("b-w"), 1),
      ]);
    } else {
      // 16-bit: the gray image is computed at full depth, as 8-bit pixels would round it differently.
      [normalized, rgb, gray] = await Promise.all([
        (normalizedFormat === "png"
          ? oriented().png()
          : oriented().flatten({ background: "#ffffff" }).jpeg({ quality: 90 })
        ).toBuffer(),
        toRaw(
          oriented()
            .resize(DETECTOR_MAX_SIDE, DETECTOR_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
            .flatten({ background: "#ffffff" })
            .toColourspace("srgb"),
          3,
        ),
        toRaw(oriented().flatten({ background: "#ffffff" }).toColourspace("b-w"), 1),
      ]);
    }
  } catch {
    throw new AppError("invalid_image", "The image is corrupt or truncated and cannot be decoded.");
  }

  return {
    // A caller that hashed the bytes already (to find an earlier upload of them) passes the hash.
    sha256: known.sha256 ?? crypto.createHash("sha256").update(bytes).digest("hex"),
    format: sniffed,
    width: gray.width,
    height: gray.height,
    bytes: bytes.length,
    normalized,
    normalizedFormat,
    rgb,
    gray,
  };
}

async function toRaw<C extends 1 | 3>(pipeline: Sharp, channels: C): Promise<RawImage<C>> {
  // 16-bit PNGs would otherwise come out as 16-bit samples.
  const { data, info } = await pipeline.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) {
    throw new Error(`expected ${channels} channels after conversion, got ${info.channels}`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels,
  };
}

/**
 * Whether an ICC profile describes sRGB: an RGB profile whose description (the `desc` tag, ICC v2
 * text or v4 multi-localised) names sRGB, e.g. "sRGB IEC61966-2.1", and not a linear variant.
 */
export function isSrgbProfile(icc: Buffer): boolean {
  if (icc.length < 132 || icc.toString("latin1", 16, 20) !== "RGB ") return false;
  const tags = icc.readUInt32BE(128);
  for (let i = 0; i < tags && 132 + 12 * (i + 1) <= icc.length; i++) {
    const at = 132 + 12 * i;
    if (icc.toString("latin1", at, at + 4) !== "desc") continue;
    const offset = icc.readUInt32BE(at + 4);
    const size = icc.readUInt32BE(at + 8);
    if (offset + size > icc.length || size < 12) return false;
    const type = icc.toString("latin1", offset, offset + 4);
    let text = "";
    if (type === "desc") {
      const length = icc.readUInt32BE(offset + 8);
      text = icc.toString("latin1", offset + 12, Math.min(offset + 12 + length, offset + size));
    } else if (type === "mluc" && size >= 28) {
      const length = icc.readUInt32BE(offset + 20);
      const start = offset + icc.readUInt32BE(offset + 24);
      const utf16 = icc.subarray(start, start + (Math.max(0, Math.min(length, offset + size - start)) & ~1));
      text = Buffer.from(utf16).swap16().toString("utf16le");
    }
    return /\bsRGB\b/.test(text) && !/linear|scRGB/i.test(text);
  }
  return false;
}

type Sniffed = ImageFormat | "GIF" | "BMP" | "TIFF" | "HEIF/AVIF" | "ICO" | "unknown";

function isSupported(f: Sniffed): f is ImageFormat {
  return f === "jpeg" || f === "png" || f === "webp";
}

const HEIF_BRANDS = ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif", "avis"];

function sniffFormat(b: Buffer): Sniffed {
  const starts = (sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
  const ascii = (s: string, at = 0) =>
    starts(
      [...s].map((c) => c.charCodeAt(0)),
      at,
    );

  if (starts([0xff, 0xd8, 0xff])) return "jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (ascii("RIFF") && ascii("WEBP", 8)) return "webp";
  // The rest are named only so the error message can say what was sent.
  if (ascii("GIF87a") || ascii("GIF89a")) return "GIF";
  if (ascii("BM")) return "BMP";
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return "TIFF";
  if (ascii("ftyp", 4) && HEIF_BRANDS.some((brand) => ascii(brand, 8))) return "HEIF/AVIF";
  if (starts([0x00, 0x00, 0x01, 0x00])) return "ICO";
  return "unknown";
}
