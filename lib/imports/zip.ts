import zlib from "node:zlib";
import { inflateSync, strFromU8 } from "fflate";

/** One file of a zip, as its central directory describes it. */
export interface ZipEntry {
  /** The name in the archive, with `/` separators. */
  name: string;
  /** Size once decompressed, as the archive declares it. */
  size: number;
  compressedSize: number;
  /** 0 stored, 8 deflate; anything else cannot be read. */
  method: number;
  crc32: number;
  /** Where the entry's local header starts. */
  offset: number;
  directory: boolean;
}

/** The archive cannot be read at all (no central directory, truncated, not a zip). */
export class ZipUnreadableError extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The entries of a zip held in memory, read from its central directory (the archive's own table of
 * contents, at its end). A damaged archive whose table can still be read gives its entries; one
 * whose table cannot (cut short, overwritten, not a zip) throws ZipUnreadableError.
 */
export function listZipEntries(zip: Uint8Array): ZipEntry[] {
  const view = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is 22 bytes plus a comment of at most 65,535.
  let end = -1;
  for (let i = view.length - 22; i >= 0 && i >= view.length - 22 - 65_535; i--) {
    if (view.readUInt32LE(i) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipUnreadableError("it has no table of contents (the file is cut short or not a zip)");
  const count = view.readUInt16LE(end + 10);
  const size = view.readUInt32LE(end + 12);
  const start = view.readUInt32LE(end + 16);
  if (count === 0xffff || start === 0xffffffff) throw new ZipUnreadableError("ZIP64 archives are not supported");
  if (start + size > end) throw new ZipUnreadableError("its table of contents points outside the file");
  const entries: ZipEntry[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.readUInt32LE(at) !== CENTRAL) {
      throw new ZipUnreadableError(`its table of contents is damaged at entry ${i + 1}`);
    }
    const flags = view.readUInt16LE(at + 8);
    const nameLength = view.readUInt16LE(at + 28);
    const extraLength = view.readUInt16LE(at + 30);
    const commentLength = view.readUInt16LE(at + 32);
    // Bit 11: the name is UTF-8; otherwise CP437, which for ASCII names is the same.
    const name = strFromU8(zip.subarray(at + 46, at + 46 + nameLength), !(flags & 0x800)).replace(/\\/g, "/");
    entries.push({
      name,
      method: view.readUInt16LE(at + 10),
      crc32: view.readUInt32LE(at + 16),
      compressedSize: view.readUInt32LE(at + 20),
      size: view.readUInt32LE(at + 24),
      offset: view.readUInt32LE(at + 42),
      directory: name.endsWith("/"),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * One entry's bytes, checked against the size and CRC-32 the archive declares.
 *
 * @throws Error with a message for a person when the entry is damaged or uses another method.
 */
export function readZipEntry(zip: Uint8Array, entry: ZipEntry): Buffer {
  const view = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  if (entry.offset + 30 > view.length || view.readUInt32LE(entry.offset) !== LOCAL) {
    throw new Error("the entry is damaged (its header is missing)");
  }
  const dataStart = entry.offset + 30 + view.readUInt16LE(entry.offset + 26) + view.readUInt16LE(entry.offset + 28);
  if (dataStart + entry.compressedSize > view.length) throw new Error("the entry is cut short");
  const raw = zip.subarray(dataStart, dataStart + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else if (entry.method === 8) {
    try {
      data = inflateSync(raw, { out: new Uint8Array(entry.size) });
    } catch {
      throw new Error("the entry is damaged (its compressed data cannot be read)");
    }
  } else {
    throw new Error(`the entry is compressed with a method zip readers rarely support (${entry.method})`);
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length !== entry.size || zlib.crc32(bytes) !== entry.crc32) {
    throw new Error("the entry is damaged (its checksum does not match)");
  }
  return bytes;
}
