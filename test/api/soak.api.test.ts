// API soak test: many reviewers and uploaders at once against the real launcher, on the embedded
// database `npm start` uses and on the Postgres server named by TEST_DATABASE_URL. What it checks
// is what a team trusts the app with: no 5xx, every acknowledged verdict stored once under the
// reviewer who sent it, no face handed to two reviewers. Its figures are printed, not asserted.
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db/client";
import { createApiToken } from "@/lib/auth/tokens";
import { getEnv } from "@/lib/env/env";
import { startTestApp, type TestApp } from "@/test/support/app-server";
import { client } from "@/test/support/http";
import { seedPredictions, seedUser } from "@/test/support/seed";

const REVIEWERS = 16;
const UPLOADERS = 4;
const CROPS_PER_UPLOADER = 30;
const SECONDS = 25;
/** Faces waiting before the soak starts, so reviewers measure the queue rather than wait for uploads. */
const QUEUED = 600;

const databases = [
  { name: "the embedded database", embedded: true, skip: false },
  { name: "the Postgres server in TEST_DATABASE_URL", embedded: false, skip: !getEnv().TEST_DATABASE_URL },
];

describe.each(databases)("soak on $name", ({ embedded, skip }) => {
  let app: TestApp | undefined;
  beforeAll(async () => {
    if (!skip) app = await startTestApp({ embeddedDatabase: embedded });
  }, 600_000);
  afterAll(async () => {
    await app?.stop();
  });

  it.skipIf(skip)(
    `${REVIEWERS} reviewers and ${UPLOADERS} uploaders for ${SECONDS} s: no 5xx, every verdict stored once under its sender, no face served twice to one reviewer or to more reviewers than it needs`,
    async () => {
      const a = app!;
      const db = createDb(a.databaseUrl);
      const reviewers: { id: number; token: string }[] = [];
      const uploaders: { id: number; token: string }[] = [];
      try {
        for (let i = 0; i < REVIEWERS + UPLOADERS; i++) {
          const user = await seedUser(db, `soak-${i}@example.test`);
          const { token } = await createApiToken(db, user.id, { name: "soak" });
          (i < REVIEWERS ? reviewers : uploaders).push({ id: user.id, token });
        }
        const active = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
        await seedPredictions(db, {
          userId: uploaders[0]!.id,
          modelVersionId: active.id,
          margins: Array.from({ length: QUEUED }, () => Math.random()),
        });
      } finally {
        await db.$disconnect();
      }

      const statuses = new Map<number, number>();
      const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
      const fiveHundreds: string[] = [];
      const timings = { next: [] as number[], submit: [] as number[] };
      /** Every face handed out: prediction id → reviewers it was served to, in order. */
      const served = new Map<number, number[]>();
      /** Acknowledged verdicts (201): prediction id → reviewer. */
      const acknowledged: { predictionId: number; reviewerId: number }[] = [];
      const deadline = Date.now() + SECONDS * 1000;
      let uploadsDone = 0;

      const timed = async (kind: "next" | "submit" | null, what: string, run: () => Promise<Response>) => {
        const t0 = performance.now();
        const res = await run();
        if (kind) timings[kind].push(performance.now() - t0);
        count(res.status);
        if (res.status >= 500) fiveHundreds.push(`${what} → ${res.status} ${await res.text()}`);
        return res;
      };

      const upload = async (u: { token: string }, k: number) => {
        const http = client(a.baseUrl, { token: u.token });
        for (let i = 0; i < CROPS_PER_UPLOADER && Date.now() < deadline; i++) {
          const png = await sharp(Buffer.from(Array.from({ length: 48 * 48 }, () => Math.floor(Math.random() * 256))), {
            raw: { width: 48, height: 48, channels: 1 },
          })
            .png()
            .toBuffer();
          const res = await timed(null, "POST /api/predictions", () =>
            http.upload(png, { isFaceCrop: true, filename: `u${k}-${i}.png`, type: "image/png" }),
          );
          expect(res.status, await res.clone().text()).toBe(201);
        }
        uploadsDone++;
      };

      const review = async (r: { id: number; token: string }) => {
        const http = client(a.baseUrl, { token: r.token });
        while (Date.now() < deadline) {
          const next = await timed("next", "GET /api/review/next", () => http.get("/api/review/next"));
          if (next.status === 204) {
            if (uploadsDone === UPLOADERS) return;
            await new Promise((res) => setTimeout(res, 50));
            continue;
          }
          expect(next.status, await next.clone().text()).toBe(200);
          const item = (await next.json()) as { prediction_id: number; prediction: { label: string } };
          served.set(item.prediction_id, [...(served.get(item.prediction_id) ?? []), r.id]);
          const verdict =
            Math.random() < 0.5
              ? { verdict: "correct" }
              : { verdict: "incorrect", corrected_label: item.prediction.label === "sad" ? "happy" : "sad" };
          const res = await timed("submit", "POST /api/reviews", () =>
            http.json("POST", "/api/reviews", { prediction_id: item.prediction_id, ...verdict }),
          );
          expect(res.status, await res.clone().text()).toBe(201);
          acknowledged.push({ predictionId: item.prediction_id, reviewerId: r.id });
        }
      };

      const started = performance.now();
      await Promise.all([...uploaders.map(upload), ...reviewers.map(review)]);
      const seconds = (performance.now() - started) / 1000;

      const pool = new pg.Client({ connectionString: a.databaseUrl });
      await pool.connect();
      let stored: { predictionId: number; reviewerId: number }[];
      let needed: Map<number, number>;
      try {
        // What each face needed (verdicts per face, one more for the extra-review share's faces).
        needed = new Map(
          (
            await pool.query<{ predictionId: number; needed: number }>(
              `SELECT "predictionId", "needed" FROM "FaceState"`,
            )
          ).rows.map((r) => [r.predictionId, r.needed]),
        );
        stored = (
          await pool.query<{ predictionId: number; reviewerId: number }>(
            `SELECT "predictionId", "reviewerId" FROM "Review"`,
          )
        ).rows;
      } finally {
        await pool.end();
      }
      const storedBy = new Map<number, number[]>();
      for (const s of stored) storedBy.set(s.predictionId, [...(storedBy.get(s.predictionId) ?? []), s.reviewerId]);
      const lost = acknowledged.filter((v) => !storedBy.has(v.predictionId));
      const misattributed = acknowledged.filter(
        (v) => storedBy.has(v.predictionId) && !storedBy.get(v.predictionId)!.includes(v.reviewerId),
      );
      // Overlap serves a face to as many reviewers as it needs verdicts, each once.
      const servedTwice = [...served].filter(
        ([id, to]) => new Set(to).size < to.length || to.length > (needed.get(id) ?? 1),
      );

      const pct = (xs: number[], p: number) => {
        const s = [...xs].sort((x, y) => x - y);
        return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(0) : "-";
      };
      console.log(
        [
          `soak on ${embedded ? "the embedded database" : "TEST_DATABASE_URL"}: ${REVIEWERS} reviewers, ${UPLOADERS} uploaders, ${seconds.toFixed(1)} s`,
          `| decisions | per second | next p50/p95/p99 ms | submit p50/p95/p99 ms | 5xx | lost | misattributed | served twice |`,
          `| ${acknowledged.length} | ${(acknowledged.length / seconds).toFixed(1)} | ${pct(timings.next, 50)}/${pct(timings.next, 95)}/${pct(timings.next, 99)} | ${pct(timings.submit, 50)}/${pct(timings.submit, 95)}/${pct(timings.submit, 99)} | ${fiveHundreds.length} | ${lost.length} | ${misattributed.length} | ${servedTwice.length} |`,
          `statuses: ${JSON.stringify(Object.fromEntries(statuses))}`,
        ].join("\n"),
      );

      expect(fiveHundreds).toEqual([]);
      expect(acknowledged.length).toBeGreaterThan(REVIEWERS); // the soak did real work
      expect(lost).toEqual([]);
      expect(misattributed).toEqual([]);
      expect(servedTwice).toEqual([]);
      expect(stored.length).toBe(acknowledged.length);
    },
    180_000,
  );
});
