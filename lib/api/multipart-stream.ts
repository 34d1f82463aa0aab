import "server-only";
import fs from "node:fs/promises";
import { AppError } from "@/lib/errors/app-error";

export interface StreamedUpload {
  /** Text fields, each name with every value it was sent with, in order. */
  fields: Map<string, string[]>;
  /** The file field's part, written to `dest`; null when the form had none. */
  file: { filename: string; bytes: number } | null;
}

export interface StreamOptions {
  /** The one field whose content is a file. */
  fileField: string;
  /** Full path the file goes to (created by this call, removed again if it fails). */
  dest: string;
  /** Largest file accepted. */
  maxFileBytes: number;
  tooLarge: string;
  /**
   * Called once with the file's first bytes (up to 16), before any more is read: throw to refuse
   * the file by its content at once.
   */
  checkHead?: (head: Buffer) => void;
}

const HEAD_BYTES = 16;
const MAX_FIELD_BYTES = 4 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
/** Room for the text fields and the multipart framing, on top of the file. */
const FRAMING_BYTES = 64 * 1024;

/**
 * Reads a `multipart/form-data` body as it streams in, writing the file field straight to disk, so
 * a large upload never sits in memory. Text fields are kept (each at most 4 KB). A body declared or
 * grown past the file limit is refused at once (413), a file refused by `checkHead` as soon as its
 * first bytes arrive; whatever refuses the body, the partial file is removed.
 */
export async function streamMultipartToFile(req: Request, opts: StreamOptions): Promise<StreamedUpload> {
  const type = req.headers.get("content-type") ?? "";
  const m = /^multipart\/form-data\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new AppError("bad_request", "Send the body as multipart/form-data with a boundary.");
  const limit = opts.maxFileBytes + FRAMING_BYTES;
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw new AppError("payload_too_large", opts.tooLarge, { max_bytes: opts.maxFileBytes });
  }
  if (!req.body) throw new AppError("bad_request", "The request has no body.");

  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields = new Map<string, string[]>();
  let file: StreamedUpload["file"] = null;
  let handle: fs.FileHandle | null = null;
  const reader = req.body.getReader();

  try {
    // The leading CRLF makes the first boundary look like every other one.
    let buf = Buffer.from("\r\n");
    let state: "preamble" | "after-delimiter" | "headers" | "body" = "preamble";
    let ended = false;
    let part: { name: string; filename: string | null; text: Buffer[]; textBytes: number } | null = null;
    let received = 0;
    let head = Buffer.alloc(0);
    let headChecked = false;
    // Small network chunks are gathered into larger writes.
    let unwritten: Buffer[] = [];
    let unwrittenBytes = 0;
    const flush = async () => {
      if (!unwrittenBytes || !handle) return;
      await handle.write(Buffer.concat(unwritten, unwrittenBytes));
      unwritten = [];
      unwrittenBytes = 0;
    };

    const checkHead = () => {
      if (headChecked) return;
      headChecked = true;
      opts.checkHead?.(head);
    };
    const emit = async (data: Buffer) => {
      if (!part || data.length === 0) return;
      if (part.name === opts.fileField && part.filename !== null) {
        if (!file || !handle) throw new Error("multipart: file part without a file");
        if (!headChecked) {
          head = Buffer.concat([head, data.subarray(0, HEAD_BYTES - head.length)]);
          if (head.length >= HEAD_BYTES) checkHead();
        }
        file.bytes += data.length;
        if (file.bytes > opts.maxFileBytes) {
          throw new AppError("payload_too_large", opts.tooLarge, { max_bytes: opts.maxFileBytes });
        }
        unwritten.push(Buffer.from(data));
        unwrittenBytes += data.length;
        if (unwrittenBytes >= 256 * 1024) await flush();
        return;
      }
      part.textBytes += data.length;
      if (part.textBytes > MAX_FIELD_BYTES) {
        throw new AppError("bad_request", `The form field "${part.name}" is longer than ${MAX_FIELD_BYTES} bytes.`);
      }
      part.text.push(Buffer.from(data));
    };
    const finishPart = async () => {
      if (!part) return;
      if (part.name === opts.fileField && part.filename !== null) {
        checkHead();
        await flush();
      } else {
        const list = fields.get(part.name) ?? [];
        list.push(Buffer.concat(part.text).toString("utf8"));
        fields.set(part.name, list);
      }
      part = null;
    };

    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) throw new AppError("payload_too_large", opts.tooLarge, { max_bytes: opts.maxFileBytes });
      buf = buf.length ? Buffer.concat([buf, value]) : Buffer.from(value);
      for (let progressed = true; progressed && !ended;) {
        progressed = false;
        if (state === "preamble") {
          const i = buf.indexOf(delimiter);
          if (i < 0) {
            buf = buf.subarray(Math.max(0, buf.length - delimiter.length));
            break;
          }
          buf = buf.subarray(i + delimiter.length);
          state = "after-delimiter";
        }
        if (state === "after-delimiter") {
          if (buf.length < 2) break;
          const two = buf.toString("latin1", 0, 2);
          if (two === "--") {
            ended = true;
            break;
          }
          if (two !== "\r\n") throw new AppError("bad_request", "Could not read the multipart form.");
          buf = buf.subarray(2);
          state = "headers";
        }
        if (state === "headers") {
          const i = buf.indexOf("\r\n\r\n");
          if (i < 0) {
            if (buf.length > MAX_HEADER_BYTES) throw new AppError("bad_request", "Could not read the multipart form.");
            break;
          }
          const headers = buf.toString("utf8", 0, i);
          buf = buf.subarray(i + 4);
          const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? "";
          const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
          if (name === undefined) throw new AppError("bad_request", "A multipart part has no field name.");
          const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
          part = { name, filename, text: [], textBytes: 0 };
          if (name === opts.fileField && filename !== null) {
            if (file) throw new AppError("bad_request", `Send one file in the field "${opts.fileField}".`);
            file = { filename, bytes: 0 };
            handle = await fs.open(opts.dest, "wx");
          }
          state = "body";
        }
        if (state === "body") {
          const i = buf.indexOf(delimiter);
          if (i >= 0) {
            await emit(buf.subarray(0, i));
            await finishPart();
            buf = buf.subarray(i + delimiter.length);
            state = "after-delimiter";
            progressed = true;
            continue;
          }
          // Keep what could be the start of a delimiter split across chunks.
          const keep = delimiter.length - 1;
          if (buf.length > keep) {
            await emit(buf.subarray(0, buf.length - keep));
            buf = Buffer.from(buf.subarray(buf.length - keep));
          }
          break;
        }
      }
      if (ended) break;
    }
    if (!ended) throw new AppError("bad_request", "The multipart form was cut short.");
    // An epilogue after the closing boundary is never read.
    await reader.cancel().catch(() => {});
    await handle?.close();
    handle = null;
    return { fields, file };
  } catch (err) {
    await reader.cancel().catch(() => {});
    await handle?.close().catch(() => {});
    await fs.rm(opts.dest, { force: true }).catch(() => {});
    throw err;
  }
}
