import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { streamMultipartToFile } from "./multipart-stream";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "el-multipart-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A request whose body is the form as a browser encodes it, delivered in chunks of `chunk` bytes. */
async function requestOf(form: FormData, chunk: number): Promise<Request> {
  const encoded = new Response(form);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.slice(i, i + chunk));
      c.close();
    },
  });
  return new Request("http://x/", {
    method: "POST",
    body,
    headers: { "content-type": encoded.headers.get("content-type")! },
    duplex: "half",
  } as RequestInit);
}

const dest = () => path.join(dir, crypto.randomBytes(4).toString("hex"));

describe("streamMultipartToFile", () => {
  const content = crypto.randomBytes(150_000);
  const form = () => {
    const f = new FormData();
    f.set("fps", "2.5");
    f.set("video", new Blob([content]), "clip.mp4");
    f.append("target_emotions", "happy");
    f.append("target_emotions", "sad,fear");
    return f;
  };

  it.each([7, 61, 4096, 1 << 20])("writes the file and keeps the fields (chunks of %i bytes)", async (chunk) => {
    const to = dest();
    const out = await streamMultipartToFile(await requestOf(form(), chunk), {
      fileField: "video",
      dest: to,
      maxFileBytes: 1 << 20,
      tooLarge: "too large",
    });
    expect(fs.readFileSync(to).equals(content)).toBe(true);
    expect(out.file).toEqual({ filename: "clip.mp4", bytes: content.length });
    expect(out.fields.get("fps")).toEqual(["2.5"]);
    expect(out.fields.get("target_emotions")).toEqual(["happy", "sad,fear"]);
  });

  it("refuses a file over the limit with 413 and leaves no file", async () => {
    const to = dest();
    await expect(
      streamMultipartToFile(await requestOf(form(), 4096), {
        fileField: "video",
        dest: to,
        maxFileBytes: 100_000,
        tooLarge: "The video is too large.",
      }),
    ).rejects.toMatchObject({ code: "payload_too_large", message: "The video is too large." });
    expect(fs.existsSync(to)).toBe(false);
  });

  it("refuses by the first bytes as soon as they arrive, leaving no file", async () => {
    const to = dest();
    let seen: Buffer | null = null;
    await expect(
      streamMultipartToFile(await requestOf(form(), 4096), {
        fileField: "video",
        dest: to,
        maxFileBytes: 1 << 20,
        tooLarge: "too large",
        checkHead: (head) => {
          seen = head;
          throw new Error("not a video");
        },
      }),
    ).rejects.toThrow("not a video");
    expect(seen!.equals(content.subarray(0, 16))).toBe(true);
    expect(fs.existsSync(to)).toBe(false);
  });

  it("refuses a body cut short", async () => {
    const encoded = new Response(form());
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const req = new Request("http://x/", {
      method: "POST",
      body: bytes.slice(0, 5000),
      headers: { "content-type": encoded.headers.get("content-type")! },
    });
    const to = dest();
    await expect(
      streamMultipartToFile(req, { fileField: "video", dest: to, maxFileBytes: 1 << 20, tooLarge: "x" }),
    ).rejects.toMatchObject({ code: "bad_request" });
    expect(fs.existsSync(to)).toBe(false);
  });
});
