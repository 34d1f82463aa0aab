// Video files through the running app and its worker, with real ffmpeg, the real detector and the
// sample photos made into videos here: upload, background analysis, tracks, summary and segments,
// the file with byte ranges, a track sent to review, cancel, and every refusal leaving nothing behind.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, listFiles } from "@/test/support/http";
import { makeColourVideo, makePhotoVideo } from "@/test/support/videos";

type Client = ReturnType<typeof client>;
interface Frame {
  t: number;
  box: { x: number; y: number; width: number; height: number };
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
}
interface Detail {
  status: string;
  progress: number;
  duration_s: number;
  fps: number;
  width: number;
  height: number;
  error: string | null;
  message: string | null;
  frames_sampled: number | null;
  started_at: string | null;
  finished_at: string | null;
  labels: string[];
  target_emotions: string[];
  tracks: { track_id: number; frames: Frame[] }[];
  summary: Record<string, number>;
  segments: { track_id: number; emotion: string; start_s: number; end_s: number }[];
}

const MAX_SECONDS = 30;
const MAX_MB = 5;
let app: TestApp;
let db: pg.Client;
let admin: Client;
let owner: Client;
let other: Client;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-videos-"));
const videosDir = () => path.join(app.dataDir, "videos");

beforeAll(async () => {
  app = await startTestApp({
    worker: true,
    // A shorter heartbeat timeout than the default 45 s: a killed worker's analysis ends sooner.
    env: { VIDEO_MAX_SECONDS: String(MAX_SECONDS), VIDEO_MAX_MB: String(MAX_MB), JOB_HEARTBEAT_TIMEOUT_SECONDS: "30" },
  });
  db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  for (const email of ["owner@example.test", "other@example.test"]) {
    const res = await admin.json("POST", "/api/users", { email, password: "a-long-password", role: "REVIEWER" });
    expect(res.status).toBe(201);
  }
  owner = client(app.baseUrl, { cookie: await signIn(app.baseUrl, "owner@example.test", "a-long-password") });
  other = client(app.baseUrl, { cookie: await signIn(app.baseUrl, "other@example.test", "a-long-password") });
}, 600_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function uploadVideo(
  c: Client,
  bytes: Buffer,
  fields: Record<string, string | string[]> = {},
  filename = "clip.mp4",
): Promise<Response> {
  const form = new FormData();
  form.set("video", new Blob([new Uint8Array(bytes)], { type: "video/mp4" }), filename);
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
  // The client's own cookie or token, through its json() helper's headers.
  return c.raw("POST", "/api/videos", form);
}

async function waitFor(c: Client, id: number, done: (d: Detail) => boolean, timeoutMs = 240_000): Promise<Detail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await c.get(`/api/videos/${id}`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as Detail;
    if (done(d)) return d;
    if (Date.now() > deadline)
      throw new Error(`video ${id} still ${d.status} (${d.progress}):\n${app.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
const finished = (d: Detail) => !["queued", "running"].includes(d.status);

const counts = async () =>
  (
    await db.query(
      `SELECT (SELECT count(*) FROM "Video")::int AS videos, (SELECT count(*) FROM "VideoTrack")::int AS tracks,
              (SELECT count(*) FROM "Upload")::int AS uploads`,
    )
  ).rows[0] as { videos: number; tracks: number; uploads: number };

describe("a video of the sample photos", () => {
  let videoId = 0;
  let detail: Detail;
  const file = () => path.join(work, "photos.mp4");

  it("is accepted (202), analysed in the background and done with tracks", async () => {
    await makePhotoVideo(file());
    const res = await uploadVideo(owner, fs.readFileSync(file()), {
      fps: "2",
      target_emotions: ["happy,sad", "angry", "fear", "disgust", "surprise", "neutral"],
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { video_id: number; status: string };
    expect(body.status).toBe("queued");
    videoId = body.video_id;
    detail = await waitFor(owner, videoId, finished);
    expect(detail.status, detail.error ?? "").toBe("done");
    expect(detail.progress).toBe(1);
    expect(detail.duration_s).toBeCloseTo(6, 1);
    expect(detail.frames_sampled).toBe(12);
    expect([detail.width, detail.height]).toEqual([640, 480]);
    const seconds = (Date.parse(detail.finished_at!) - Date.parse(detail.started_at!)) / 1000;
    console.log(
      `6 s 640x480 video at fps 2: ${detail.frames_sampled} frames in ${seconds.toFixed(1)} s = ` +
        `${(detail.frames_sampled! / seconds).toFixed(2)} sampled frames/s end to end, ${detail.tracks.length} tracks`,
    );
  }, 300_000);

  it("has tracks whose frames are in time order, inside the video and the frame", () => {
    // Six photos of one to several faces each, shown one after another.
    expect(detail.tracks.length).toBeGreaterThanOrEqual(6);
    for (const track of detail.tracks) {
      // A face seen in one sampled frame only is not a track (each photo is two frames at fps 2).
      expect(track.frames.length).toBeGreaterThanOrEqual(2);
      const times = track.frames.map((f) => f.t);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const f of track.frames) {
        expect(f.t).toBeGreaterThanOrEqual(0);
        expect(f.t).toBeLessThan(detail.duration_s);
        expect(f.box.x).toBeGreaterThanOrEqual(0);
        expect(f.box.y).toBeGreaterThanOrEqual(0);
        expect(f.box.x + f.box.width).toBeLessThanOrEqual(640 + 1);
        expect(f.box.y + f.box.height).toBeLessThanOrEqual(480 + 1);
        expect(detail.labels).toContain(f.label);
        expect(Object.values(f.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
        expect(f.confidence).toBe(Math.max(...Object.values(f.probabilities)));
      }
    }
    // The photos stay 1 s each at 2 fps: a face that stays put is one track of two frames.
    expect(detail.tracks.filter((t) => t.frames.length >= 2).length).toBeGreaterThanOrEqual(5);
  });

  it("sums face-time shares to 1, each the label's count over all face frames", () => {
    const all = detail.tracks.flatMap((t) => t.frames);
    expect(Object.values(detail.summary).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    for (const label of detail.labels) {
      expect(detail.summary[label]).toBeCloseTo(all.filter((f) => f.label === label).length / all.length, 10);
    }
  });

  it("lists segments consistent with the frames", () => {
    expect(detail.target_emotions.sort()).toEqual([...detail.labels].sort());
    const step = 1 / detail.fps;
    for (const s of detail.segments) {
      const frames = detail.tracks.find((t) => t.track_id === s.track_id)!.frames;
      const inside = frames.filter((f) => f.t >= s.start_s - 1e-6 && f.t < s.end_s - 1e-6);
      // Starts and ends on a frame with the emotion on top, at least two of them, no two in a row without it.
      expect(inside[0]!.t).toBeCloseTo(s.start_s, 3);
      expect(inside[0]!.label).toBe(s.emotion);
      expect(inside.at(-1)!.label).toBe(s.emotion);
      expect(s.end_s).toBeCloseTo(Math.min(detail.duration_s, inside.at(-1)!.t + step), 3);
      expect(inside.filter((f) => f.label === s.emotion).length).toBeGreaterThanOrEqual(2);
      for (let k = Math.round(s.start_s * detail.fps); k < Math.round(s.end_s * detail.fps) - 1; k++) {
        const on = (j: number) => inside.some((f) => Math.round(f.t * detail.fps) === j && f.label === s.emotion);
        expect(on(k) || on(k + 1), `segment ${JSON.stringify(s)} at frame ${k}`).toBe(true);
      }
    }
    // Every pair of consecutive frames with one emotion on top lies in a segment of it.
    for (const track of detail.tracks) {
      for (let i = 1; i < track.frames.length; i++) {
        const [a, b] = [track.frames[i - 1]!, track.frames[i]!];
        if (a.label !== b.label || Math.round((b.t - a.t) * detail.fps) !== 1) continue;
        const covered = detail.segments.some(
          (s) => s.track_id === track.track_id && s.emotion === a.label && s.start_s <= a.t && b.t < s.end_s,
        );
        expect(covered, `track ${track.track_id} ${a.label} at ${a.t}–${b.t}`).toBe(true);
      }
    }
    expect(detail.segments.length).toBeGreaterThan(0);
  });

  it("is the owner's and the admin's; others get a 404, and lists show it to its owner only", async () => {
    expect((await other.get(`/api/videos/${videoId}`)).status).toBe(404);
    expect((await other.get(`/api/videos/${videoId}/file`)).status).toBe(404);
    expect((await admin.get(`/api/videos/${videoId}`)).status).toBe(200);
    const mine = (await (await owner.get("/api/videos")).json()) as { videos: { id: number; status: string }[] };
    expect(mine.videos.find((v) => v.id === videoId)?.status).toBe("done");
    const theirs = (await (await other.get("/api/videos")).json()) as { videos: unknown[] };
    expect(theirs.videos).toEqual([]);
    const audit = await db.query(
      `SELECT "actorId", details FROM "AuditLog" WHERE action = 'video.upload' AND "targetId" = $1`,
      [String(videoId)],
    );
    expect(audit.rows).toHaveLength(1);
  });

  it("serves the file whole and by byte range", async () => {
    const bytes = fs.readFileSync(file());
    const whole = await owner.get(`/api/videos/${videoId}/file`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("video/mp4");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await owner.raw("GET", `/api/videos/${videoId}/file`, undefined, { range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const outside = await owner.raw("GET", `/api/videos/${videoId}/file`, undefined, {
      range: `bytes=${bytes.length}-`,
    });
    expect(outside.status).toBe(416);
  });

  it("sends a track's most uncertain frames to review as normal uploads, once", async () => {
    const track = [...detail.tracks].sort((a, b) => b.frames.length - a.frames.length)[0]!;
    const margin = (f: Frame) => {
      const [p1 = 0, p2 = 0] = Object.values(f.probabilities).sort((a, b) => b - a);
      return p1 - p2;
    };
    const expected = [...track.frames].sort((a, b) => margin(a) - margin(b) || a.t - b.t)[0]!.t;
    const res = await owner.json("POST", `/api/videos/${videoId}/tracks/${track.track_id}/review`, { count: 1 });
    expect(res.status).toBe(201);
    const sent = (await res.json()) as {
      sent: { t: number; upload_id: number; face_id: number }[];
      already_sent: number;
    };
    expect(sent.sent.map((s) => s.t)).toEqual([expected]);
    const rows = await db.query(
      `SELECT u."videoId", u."videoTimeS", u."videoTrack", u."isFaceCrop", f.id AS face, fs.open
         FROM "Upload" u JOIN "Face" f ON f."uploadId" = u.id JOIN "FaceState" fs ON fs."faceId" = f.id
        WHERE u.id = $1`,
      [sent.sent[0]!.upload_id],
    );
    expect(rows.rows).toEqual([
      {
        videoId,
        videoTimeS: expected,
        videoTrack: track.track_id,
        isFaceCrop: false,
        face: sent.sent[0]!.face_id,
        open: true,
      },
    ]);
    // The face is a normal review item: the reviewer is served it.
    const next = await other.get("/api/review/next?order=newest");
    expect(next.status).toBe(200);
    expect(((await next.json()) as { face: { id: number } }).face.id).toBe(sent.sent[0]!.face_id);
    // Again: the frame already sent is skipped, the next most uncertain goes.
    const again = (await (
      await owner.json("POST", `/api/videos/${videoId}/tracks/${track.track_id}/review`, { count: 1 })
    ).json()) as { sent: { t: number }[]; already_sent: number };
    expect(again.already_sent).toBe(1);
    expect(again.sent.map((s) => s.t)).not.toContain(expected);
    const audit = await db.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = 'video.review'`);
    expect(audit.rows[0].n).toBe(2);
    expect((await other.json("POST", `/api/videos/${videoId}/tracks/${track.track_id}/review`, {})).status).toBe(404);
    expect((await owner.json("POST", `/api/videos/${videoId}/tracks/999/review`, {})).status).toBe(404);
  });

  it("sends no frame twice when two requests for one track arrive at once", async () => {
    const track = [...detail.tracks].sort((a, b) => b.frames.length - a.frames.length)[1]!;
    const send = () => owner.json("POST", `/api/videos/${videoId}/tracks/${track.track_id}/review`, { count: 2 });
    const statuses = (await Promise.all([send(), send(), send()])).map((r) => r.status);
    // The first stores its frames; each other one either waited and found them taken (409) or chose
    // the next ones after the first had committed (201).
    expect(statuses).toContain(201);
    for (const s of statuses) expect([201, 409]).toContain(s);
    const twice = await db.query(
      `SELECT "videoTimeS", count(*)::int AS n FROM "Upload"
        WHERE "videoId" = $1 AND "videoTrack" = $2 GROUP BY 1 HAVING count(*) > 1`,
      [videoId, track.track_id],
    );
    expect(twice.rows).toEqual([]);
  });
});

describe("refusals leave nothing behind", () => {
  const cases: [string, () => Promise<Buffer>, number, RegExp][] = [
    ["a text file named .mp4", async () => Buffer.from("just some text, not a video\n".repeat(50)), 415, /not a video/],
    [
      "a truncated MP4 (its index cut off)",
      async () => {
        const full = fs.readFileSync(await makePhotoVideo(path.join(work, "for-truncation.mp4")));
        return full.subarray(0, Math.floor(full.length / 3));
      },
      422,
      /truncated or damaged/,
    ],
    [
      `a video longer than ${MAX_SECONDS} s`,
      async () => fs.readFileSync(await makeColourVideo(path.join(work, "long.mp4"), { seconds: MAX_SECONDS + 10 })),
      422,
      /the limit is 30 s/,
    ],
    [
      `a file larger than ${MAX_MB} MB`,
      async () => {
        const head = fs.readFileSync(await makeColourVideo(path.join(work, "short.mp4"), { seconds: 1 }));
        return Buffer.concat([head, Buffer.alloc((MAX_MB + 1) * 1024 * 1024, 7)]);
      },
      413,
      /larger than 5 MB/,
    ],
    [
      "an fps out of range",
      async () => fs.readFileSync(await makeColourVideo(path.join(work, "fps.mp4"), { seconds: 1 })),
      400,
      /fps/,
    ],
  ];

  it.each(cases)("%s", async (what, make, status, message) => {
    const before = await counts();
    const bytes = await make();
    const res = await uploadVideo(owner, bytes, what === "an fps out of range" ? { fps: "50" } : {});
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(message);
    expect(await counts()).toEqual(before);
    expect(listFiles(videosDir()).filter((f) => f.startsWith("incoming-"))).toEqual([]);
  });

  it("an unknown target emotion is a 400", async () => {
    const res = await uploadVideo(owner, fs.readFileSync(path.join(work, "fps.mp4")), {
      target_emotions: "happy,bored",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/bored/);
  });
});

describe("analyses that end without faces or fail", () => {
  it("a video without faces is done with no tracks and says so", async () => {
    const res = await uploadVideo(
      owner,
      fs.readFileSync(await makeColourVideo(path.join(work, "blank.mp4"), { seconds: 3, size: "320x240", fps: 5 })),
    );
    expect(res.status).toBe(202);
    const d = await waitFor(owner, ((await res.json()) as { video_id: number }).video_id, finished);
    expect(d.status).toBe("done");
    expect(d.tracks).toEqual([]);
    expect(d.message).toMatch(/no faces were found/i);
    expect(Object.values(d.summary).every((v) => v === 0)).toBe(true);
  }, 300_000);

  it("a video cut off after its index fails with a message and stores no tracks", async () => {
    const full = fs.readFileSync(await makePhotoVideo(path.join(work, "faststart.mp4"), { faststart: true }));
    const res = await uploadVideo(owner, full.subarray(0, Math.floor(full.length / 2)));
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { video_id: number }).video_id;
    const d = await waitFor(owner, id, finished);
    expect(d.status).toBe("failed");
    expect(d.error).toMatch(/truncated or damaged/);
    expect(d.tracks).toEqual([]);
    expect((await db.query(`SELECT count(*)::int AS n FROM "VideoTrack" WHERE "videoId" = $1`, [id])).rows[0].n).toBe(
      0,
    );
  }, 300_000);
});

describe("cancel", () => {
  it("cancels a queued analysis at once and a running one promptly, killing ffmpeg and storing nothing", async () => {
    // 24 s at 10 frames a second: long enough to catch it running.
    const long = fs.readFileSync(
      await makePhotoVideo(path.join(work, "long-photos.mp4"), { secondsEach: 2, rounds: 2 }),
    );
    const first = ((await (await uploadVideo(owner, long, { fps: "10" })).json()) as { video_id: number }).video_id;
    const second = ((await (await uploadVideo(owner, long, { fps: "10" })).json()) as { video_id: number }).video_id;
    await waitFor(owner, first, (d) => d.status === "running" && d.progress > 0);

    // The second waits behind the first: cancelled while queued.
    expect((await waitFor(owner, second, () => true)).status).toBe("queued");
    const queued = await owner.json("POST", `/api/videos/${second}/cancel`, {});
    expect(queued.status).toBe(200);
    expect(((await queued.json()) as { video: { status: string } }).video.status).toBe("cancelled");

    // Someone else cannot cancel it; the owner can.
    expect((await other.json("POST", `/api/videos/${first}/cancel`, {})).status).toBe(404);
    const file = (await db.query(`SELECT "filePath" FROM "Video" WHERE id = $1`, [first])).rows[0].filePath as string;
    const ffmpegRunning = () => {
      try {
        return execFileSync("pgrep", ["-f", path.basename(file)], { encoding: "utf8" }).trim().length > 0;
      } catch {
        return false;
      }
    };
    expect(ffmpegRunning()).toBe(true);
    const t0 = Date.now();
    const running = await owner.json("POST", `/api/videos/${first}/cancel`, {});
    expect(running.status).toBe(200);
    await expect.poll(ffmpegRunning, { timeout: 5_000, interval: 100 }).toBe(false);
    console.log(`ffmpeg gone ${Date.now() - t0} ms after the cancel`);
    await new Promise((r) => setTimeout(r, 2_000));
    for (const id of [first, second]) {
      const d = await waitFor(owner, id, () => true);
      expect(d.status).toBe("cancelled");
      expect(d.tracks).toEqual([]);
    }
    expect((await owner.json("POST", `/api/videos/${first}/cancel`, {})).status).toBe(409);
    const audit = await db.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = 'video.cancel'`);
    expect(audit.rows[0].n).toBe(2);
  }, 300_000);
});

describe("a worker killed in the middle of a video", () => {
  it("ends the analysis as failed with the reason, ffmpeg dies with it, nothing half-stored; a new worker takes the next video", async () => {
    const long = fs.readFileSync(
      await makePhotoVideo(path.join(work, "killed-photos.mp4"), { secondsEach: 2, rounds: 2 }),
    );
    const before = await counts();
    const id = ((await (await uploadVideo(owner, long, { fps: "10" })).json()) as { video_id: number }).video_id;
    await waitFor(owner, id, (d) => d.status === "running" && d.progress > 0);
    const row = (await db.query(`SELECT "workerId", "filePath" FROM "Video" WHERE id = $1`, [id])).rows[0] as {
      workerId: string;
      filePath: string;
    };
    const ffmpegRunning = () => {
      try {
        return execFileSync("pgrep", ["-f", path.basename(row.filePath)], { encoding: "utf8" }).trim().length > 0;
      } catch {
        return false;
      }
    };
    expect(ffmpegRunning()).toBe(true);

    process.kill(Number(row.workerId.split(":").pop()), "SIGKILL");
    // ffmpeg writes into a pipe nobody reads any more: it ends instead of decoding on alone.
    await expect.poll(ffmpegRunning, { timeout: 15_000, interval: 200 }).toBe(false);
    const failed = await waitFor(owner, id, finished, 90_000);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/stopped responding/);
    expect(failed.tracks).toEqual([]);
    expect(await counts()).toEqual({ videos: before.videos + 1, tracks: before.tracks, uploads: before.uploads });

    // The launcher started a new worker: the next video is analysed to the end, by it.
    const short = fs.readFileSync(await makePhotoVideo(path.join(work, "after-kill.mp4")));
    const next = ((await (await uploadVideo(owner, short)).json()) as { video_id: number }).video_id;
    const done = await waitFor(owner, next, finished);
    expect(done.status).toBe("done");
    expect(done.tracks.length).toBeGreaterThan(0);
    const worker = (await db.query(`SELECT "workerId" FROM "Video" WHERE id = $1`, [next])).rows[0].workerId as string;
    expect(worker).not.toBe(row.workerId);
  }, 300_000);
});
