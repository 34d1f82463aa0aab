import sharp from "sharp";
import { EMOTION_LABELS } from "@/lib/model/labels";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

export const SAMPLE_PHOTO = path.resolve(__dirname, "../../node_modules/@vladmandic/face-api/demo/sample1.jpg");

export function samplePhoto(n = 1): Buffer {
  return fs.readFileSync(path.resolve(__dirname, `../../node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
}

/** A small HTTP client for one identity: a session cookie, a bearer token, or nobody. */
export function client(baseUrl: string, auth: { cookie?: string; token?: string } = {}) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(auth.cookie ? { cookie: auth.cookie } : {}),
    ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
    ...extra,
  });
  return {
    get: (p: string) => fetch(baseUrl + p, { headers: headers(), redirect: "manual" }),
    delete: (p: string) => fetch(baseUrl + p, { method: "DELETE", headers: headers(), redirect: "manual" }),
    json: (method: string, p: string, body: unknown) =>
      fetch(baseUrl + p, {
        method,
        headers: headers({ "content-type": "application/json" }),
        body: JSON.stringify(body),
        redirect: "manual",
      }),
    /** Any request with this identity: a body as is (a FormData, a Buffer) and extra headers. */
    raw: (method: string, p: string, body?: BodyInit, extra: Record<string, string> = {}) =>
      fetch(baseUrl + p, { method, headers: headers(extra), body, redirect: "manual" }),
    upload: (bytes: Buffer, opts: { isFaceCrop?: boolean; filename?: string; type?: string } = {}) => {
      const form = new FormData();
      form.set(
        "image",
        new Blob([new Uint8Array(bytes)], { type: opts.type ?? "image/jpeg" }),
        opts.filename ?? "photo.jpg",
      );
      if (opts.isFaceCrop) form.set("is_face_crop", "true");
      return fetch(baseUrl + "/api/predictions", { method: "POST", headers: headers(), body: form });
    },
  };
}

/** Every file under a folder, relative paths. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Uploads the six sample photos and gives every face a verdict, spreading labels over the classes
 * (every fourth face "happy"): reviewed faces for training tests. Returns how many were reviewed.
 */
export async function seedReviewedFaces(admin: ReturnType<typeof client>): Promise<number> {
  let k = 0;
  for (let n = 1; n <= 6; n++) {
    const res = await admin.upload(samplePhoto(n));
    if (res.status !== 201) throw new Error(`upload of sample${n}.jpg answered ${res.status}`);
    const body = (await res.json()) as { faces: { prediction_id: number; label: string }[] };
    for (const f of body.faces) {
      const label = EMOTION_LABELS[k++ % 4 === 0 ? 3 : k % EMOTION_LABELS.length]!;
      const verdict = label === f.label ? { verdict: "correct" } : { verdict: "incorrect", corrected_label: label };
      const r = await admin.json("POST", "/api/reviews", { prediction_id: f.prediction_id, ...verdict });
      if (r.status !== 201) throw new Error(`verdict on prediction ${f.prediction_id} answered ${r.status}`);
    }
  }
  return k;
}

/**
 * `n` face crops of grey noise (every one different), each labelled by the admin, classes in turn:
 * enough data that a training job runs for more than a moment (a test that cancels or kills one).
 */
export async function seedLabelledCrops(admin: ReturnType<typeof client>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const png = await sharp({
      create: {
        width: 48,
        height: 48,
        channels: 3,
        background: "#808080",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    })
      .png()
      .toBuffer();
    const res = await admin.upload(png, { isFaceCrop: true });
    if (res.status !== 201) throw new Error(`upload of a noise crop answered ${res.status}`);
    const [face] = ((await res.json()) as { faces: { prediction_id: number; label: string }[] }).faces;
    const label = EMOTION_LABELS[i % EMOTION_LABELS.length]!;
    const verdict = label === face!.label ? { verdict: "correct" } : { verdict: "incorrect", corrected_label: label };
    const r = await admin.json("POST", "/api/reviews", { prediction_id: face!.prediction_id, ...verdict });
    if (r.status !== 201) throw new Error(`verdict on prediction ${face!.prediction_id} answered ${r.status}`);
  }
}

/**
 * Sends a request body in 64 KB chunks, as a client on a slow link would, and stops sending as
 * soon as the server answers. `sent` is how much had been written when the answer came: a server
 * that refuses a body once it crosses its limit answers before `total`; one that reads the whole
 * body first answers only after all of it (`finished`). Past `slowAfter` bytes the chunks go out
 * 50 ms apart, so that a refusal at the limit has time to arrive before the rest is sent.
 */
export function sendUntilAnswered(
  url: string,
  opts: { method?: string; headers: Record<string, string>; head?: Buffer; total: number; slowAfter?: number },
): Promise<{ status: number; body: string; sent: number; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: opts.method ?? "POST",
      headers: opts.headers,
    });
    let sent = 0;
    let answered = false;
    let finished = false;
    req.on("response", (res) => {
      answered = true;
      const sentAtAnswer = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, sent: sentAtAnswer, finished });
        req.destroy();
      });
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, "a");
    void (async () => {
      if (opts.head) {
        req.write(opts.head);
        sent += opts.head.length;
      }
      while (!answered && sent < opts.total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, opts.total - sent));
        const flushed = req.write(piece);
        sent += piece.length;
        // A server that stopped reading never drains the socket; the answer ends the loop.
        if (!flushed)
          await new Promise((r) => {
            req.once("drain", r);
            setTimeout(r, 100);
          });
        if (opts.slowAfter !== undefined && sent > opts.slowAfter) await new Promise((r) => setTimeout(r, 50));
        else await new Promise((r) => setImmediate(r));
      }
      if (!answered) {
        finished = true;
        req.end();
      }
    })();
  });
}

/** Throws with the answer's body when a seeding request did not get the status it needs. */
export async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${await res.text()}`);
}

/** A face as POST /api/predictions answers it, as far as seeding needs. */
export interface UploadedFace {
  id: number;
  prediction_id: number;
  label: string;
}

/**
 * One reviewer's three kinds of verdict: the first face confirmed, the second corrected to another
 * emotion, the third called no face.
 */
export async function judgeThree(
  reviewer: ReturnType<typeof client>,
  [correct, incorrect, noFace]: readonly [UploadedFace, UploadedFace, UploadedFace],
): Promise<{ correct: UploadedFace; incorrect: UploadedFace; noFace: UploadedFace }> {
  const other = incorrect.label === "happy" ? "sad" : "happy";
  for (const [face, body] of [
    [correct, { verdict: "correct" }],
    [incorrect, { verdict: "incorrect", corrected_label: other }],
    [noFace, { verdict: "not_a_face" }],
  ] as const) {
    await expectStatus(
      await reviewer.json("POST", "/api/reviews", { prediction_id: face.prediction_id, ...body }),
      201,
      `a verdict on face ${face.id}`,
    );
  }
  return { correct, incorrect, noFace };
}
