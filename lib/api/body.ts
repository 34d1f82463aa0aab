import "server-only";
import { AppError } from "@/lib/errors/app-error";

/** The largest JSON body any JSON route reads (verdicts, users, tokens are a few hundred bytes). */
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * Reads a request body into memory, counting while it streams: a Content-Length over `limit` is
 * refused before a byte is read, and a chunked body is cut off (the stream cancelled) as soon as
 * it crosses `limit`, so a hostile client cannot make the server hold more than `limit` bytes.
 */
export async function readBodyCapped(req: Request, limit: number, tooLarge: string): Promise<Buffer> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    throw new AppError("payload_too_large", tooLarge, { max_bytes: limit });
  }
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", tooLarge, { max_bytes: limit });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, received);
}

/**
 * Parses a JSON body of at most `limit` bytes (64 KB unless the route says otherwise). Not JSON
 * is a 400; a string holding a NUL character is a 400 too, since Postgres cannot store one in a
 * text column and would fail the write as a 500.
 */
export async function readJson(req: Request, limit = MAX_JSON_BYTES): Promise<unknown> {
  const raw = await readBodyCapped(req, limit, `The request body is larger than ${formatBytes(limit)}.`);
  return parseJsonText(raw.toString("utf8"));
}

/** Like readJson, but an empty body is `{}` (for routes whose fields are all optional). */
export async function readOptionalJson(req: Request, limit = MAX_JSON_BYTES): Promise<unknown> {
  const raw = await readBodyCapped(req, limit, `The request body is larger than ${formatBytes(limit)}.`);
  const text = raw.toString("utf8");
  return text.trim() ? parseJsonText(text) : {};
}

/**
 * A multipart form of at most `limit` bytes, read with the same counting reader, then parsed
 * from memory. Not multipart, or cut short, is a 400.
 */
export async function readMultipart(req: Request, limit: number, tooLarge: string): Promise<FormData> {
  const raw = await readBodyCapped(req, limit, tooLarge);
  try {
    return await new Response(new Uint8Array(raw), {
      headers: { "content-type": req.headers.get("content-type") ?? "" },
    }).formData();
  } catch {
    throw new AppError("bad_request", "Could not read the multipart form.");
  }
}

/**
 * A multipart form of at most `limit` bytes parsed as it streams in, without a copy of the whole
 * body beside the parsed files: a Content-Length over `limit` is refused before a byte is read,
 * and a body that crosses it is cut off there. Not multipart, or cut short, is a 400.
 */
export async function readMultipartStream(req: Request, limit: number, tooLarge: string): Promise<FormData> {
  const declared = req.headers.get("content-length");
  const refuse = () => new AppError("payload_too_large", tooLarge, { max_bytes: limit });
  if (declared !== null && Number(declared) > limit) throw refuse();
  if (!req.body) throw new AppError("bad_request", "Could not read the multipart form.");
  let received = 0;
  let over = false;
  const counted = req.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > limit) {
          over = true;
          controller.error(refuse());
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    return await new Response(counted, {
      headers: { "content-type": req.headers.get("content-type") ?? "" },
    }).formData();
  } catch {
    if (over) throw refuse();
    throw new AppError("bad_request", "Could not read the multipart form.");
  }
}

function parseJsonText(text: string): unknown {
  let nul = false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === "string" && value.includes("\0")) nul = true;
      return value;
    });
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
  if (nul) {
    throw new AppError("bad_request", "Text in the request may not contain NUL characters.");
  }
  return parsed;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MB` : `${n / 1024} KB`;
}
