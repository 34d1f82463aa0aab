// Review at scale: a database as after long use (a million faces, 90 % reviewed) and a crowd of
// reviewers working the queue over HTTP, first at a person's pace, then as fast as the app answers.
// Run: npm run bench:review [-- --faces N --reviewers R --seconds S --json --keep] (--help for all flags)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { getEnv } from "@/lib/env/env";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";
import { startTestApp, type TestApp } from "@/test/support/app-server";
import { mulberry32 } from "@/training/random";
import { machineInfo } from "./support/report";
import { cpuBetween, cpuSnapshot } from "./support/proc-cpu";
import { pgCountersBetween, readPgCounters } from "./support/pg-stats";
import {
  formatCpuTable,
  formatDatabaseTable,
  formatReviewTable,
  latency,
  renderReviewMarkdown,
  reviewHeaderLines,
  reviewTargetLines,
  summaryJson,
  type FloorResult,
  type PhaseResult,
  type ReviewResult,
} from "./support/review-report";
import {
  DISAGREE_SHARE,
  INCORRECT_SHARE,
  ONE_OF_TWO_SHARE,
  REVIEWED_SHARE,
  SEED_SETTINGS,
  TWO_VERDICTS_SHARE,
  seedReviewDatabase,
  type SeedResult,
} from "./support/review-seed";

const USAGE = `npm run bench:review -- [flags]

  --faces <n>       faces in the seeded database (default 1000000); 90 % of them already reviewed
  --reviewers <n>   concurrent reviewers, each with an API token (default 32, at least 2)
  --seconds <s>     length of each phase, paced and saturated (default 30)
  --warmup <s>      seconds of unpaced work before the paced phase, not counted: the server's code is
                    compiled and optimized by then, as in a server that has been up for a while (default 10)
  --floor <s>       then, for s seconds, the same concurrency on a request the app refuses before any query
                    (an invalid token: 401): the web server's own cost per request (default 5; 0 skips it)
  --incorrect <f>   share of "incorrect" verdicts the reviewers give (default 0.3)
  --seed <n>        seeds the data and the reviewers' choices (default 1)
  --out <dir>       where review-<date>.md/.json go (default bench/results)
  --json            print one JSON summary as the last line on stdout
  --keep            keep the database (server) or the app's temp folder (embedded) afterwards

The database: a fresh one on the server named by TEST_DATABASE_URL, else the app's embedded one.`;

const REQUEST_TIMEOUT_MS = 30_000;
const FIRST_ERRORS = 5;

interface Options {
  faces: number;
  reviewers: number;
  seconds: number;
  warmup: number;
  floor: number;
  incorrect: number;
  seed: number;
  out: string;
  json: boolean;
  keep: boolean;
}

class UsageError extends Error {}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      faces: { type: "string", default: "1000000" },
      reviewers: { type: "string", default: "32" },
      seconds: { type: "string", default: "30" },
      warmup: { type: "string", default: "10" },
      floor: { type: "string", default: "5" },
      incorrect: { type: "string", default: String(INCORRECT_SHARE) },
      seed: { type: "string", default: "1" },
      out: { type: "string", default: "bench/results" },
      json: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number) => {
    const n = Number(v.replace(/[_,]/g, ""));
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
  };
  const incorrect = Number(values.incorrect);
  if (!(incorrect >= 0 && incorrect <= 1))
    throw new UsageError(`--incorrect must be in [0, 1], got "${values.incorrect}"`);
  return {
    faces: int("faces", values.faces, 100),
    reviewers: int("reviewers", values.reviewers, 2),
    seconds: int("seconds", values.seconds, 1),
    warmup: int("warmup", values.warmup, 0),
    floor: int("floor", values.floor, 0),
    incorrect,
    seed: int("seed", values.seed, 0),
    out: path.resolve(values.out),
    json: values.json,
    keep: values.keep,
  };
}

let app: TestApp | null = null;
let database: TestDatabase | null = null;
let keep = false;

async function main(): Promise<void> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const opts = parseOptions();
  keep = opts.keep;
  const kind = getEnv().TEST_DATABASE_URL ? "server" : "embedded";
  const log = (line: string) => console.log(line);

  // The database and its data. On a server: a fresh database, seeded, then the app on it. Embedded:
  // the app starts its own database, and the seed goes in through the URL it reports.
  let seed: SeedResult;
  let startupSeconds: number;
  let built = false;
  const seedInto = async (url: string) => {
    log(`seeding ${opts.faces.toLocaleString("en")} faces, ${opts.reviewers} reviewers …`);
    const s = await seedReviewDatabase(url, { faces: opts.faces, reviewers: opts.reviewers, seed: opts.seed, log });
    log(
      `seeded in ${s.seconds.toFixed(1)} s: ${s.counts.faces.toLocaleString("en")} faces, ${s.counts.reviews.toLocaleString("en")} verdicts, ` +
        `${s.counts.openFaces.toLocaleString("en")} open; QueueTally agrees with FaceState; ` +
        `${s.checkedAgainstTrigger} sampled states agree with refresh_face_state`,
    );
    return s;
  };
  const startApp = async (o: { databaseUrl?: string }) => {
    const t = performance.now();
    log("starting the app (launcher + web server) …");
    const buildId = path.resolve(".next/BUILD_ID");
    const buildBefore = fs.statSync(buildId, { throwIfNoEntry: false })?.mtimeMs;
    app = await startTestApp({
      ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : { embeddedDatabase: true }),
      startupTimeoutMs: 180_000,
    });
    const seconds = (performance.now() - t) / 1000;
    built = fs.statSync(buildId, { throwIfNoEntry: false })?.mtimeMs !== buildBefore;
    log(`app on ${app.baseUrl} (${kind} database), started in ${seconds.toFixed(0)} s`);
    return seconds;
  };
  if (kind === "server") {
    database = await createTestDatabase();
    log(`database ${new URL(database.url).pathname.slice(1)} on ${new URL(database.url).host}`);
    seed = await seedInto(database.url);
    startupSeconds = await startApp({ databaseUrl: database.url });
  } else {
    startupSeconds = await startApp({});
    seed = await seedInto(app!.databaseUrl);
  }
  const a = app as TestApp | null;
  if (!a) throw new Error("the app did not start");
  // The server loads the face detector and the active model in the background after it answers;
  // that work is over before anything is measured.
  await waitForOutput(a, /\[startup\] /, 180_000);
  const dbUrl = kind === "server" ? database!.url : a.databaseUrl;
  const dbName = new URL(dbUrl).pathname.slice(1);
  const dbInfo = await describeDatabase(dbUrl);

  const reviewers = seed.tokens.map((token, i) => ({ token, index: i, random: mulberry32(opts.seed * 1000 + i + 1) }));
  const errors: string[] = [];
  let errorCount = 0;
  const stats = new pg.Client({ connectionString: dbUrl });
  await stats.connect();
  const ctx: PhaseContext = {
    baseUrl: a.baseUrl,
    incorrect: opts.incorrect,
    errors,
    countError: () => errorCount++,
    stats,
  };
  const cpuOf = () => cpuSnapshot({ appPid: a.launcher.pid, database: dbName });

  let warmup: PhaseResult | null = null;
  if (opts.warmup > 0) {
    log(`warm-up: ${opts.reviewers} reviewers, no wait, ${opts.warmup} s (not counted) …`);
    warmup = await runPhase("warm-up", reviewers, { seconds: opts.warmup, paced: false }, ctx, cpuOf);
    log(
      `  warm-up: next max ${warmup.next.max.toFixed(0)} ms, submit max ${warmup.submit.max.toFixed(0)} ms, ${warmup.errors} errors`,
    );
  }
  log(`paced: ${opts.reviewers} reviewers, 0.5–1.5 s per face, ${opts.seconds} s …`);
  const paced = await runPhase("paced", reviewers, { seconds: opts.seconds, paced: true }, ctx, cpuOf);
  log(phaseLine(paced));
  log(`saturated: ${opts.reviewers} reviewers, no wait, ${opts.seconds} s …`);
  const saturated = await runPhase("saturated", reviewers, { seconds: opts.seconds, paced: false }, ctx, cpuOf);
  log(phaseLine(saturated));
  let floor: FloorResult | null = null;
  if (opts.floor > 0) {
    log(
      `floor: ${opts.reviewers} clients, GET /api/review/next with an invalid token (401, no query), ${opts.floor} s …`,
    );
    floor = await runFloor(a.baseUrl, opts.reviewers, opts.floor, cpuOf);
    log(
      `  floor: ${floor.requestsPerSecond.toFixed(0)} requests/s, p50 ${floor.latency.p50.toFixed(1)} ms` +
        (floor.appCpuMsPerRequest !== null ? `, app ${floor.appCpuMsPerRequest.toFixed(2)} ms CPU per request` : ""),
    );
  }

  await stats.end();
  const appErrors = appErrorLines(a.output());
  const { tokens: _tokens, ...seedInfo } = seed;
  await teardown();

  const result: ReviewResult = {
    date: startedAt,
    code: codeVersion(),
    machine: machineInfo(),
    database: { kind, ...dbInfo },
    options: {
      faces: opts.faces,
      reviewers: opts.reviewers,
      seconds: opts.seconds,
      warmup: opts.warmup,
      floor: opts.floor,
      seed: opts.seed,
      incorrectShare: opts.incorrect,
    },
    seed: seedInfo,
    startupSeconds,
    startupBuilt: built,
    warmup,
    paced,
    saturated,
    floor,
    errors: errorCount,
    firstErrors: errors,
    appErrors,
    notes: notes(opts),
    totalSeconds: (performance.now() - t0) / 1000,
  };

  fs.mkdirSync(opts.out, { recursive: true });
  const stem = path.join(opts.out, `review-${result.date.slice(0, 10)}`);
  fs.writeFileSync(`${stem}.md`, renderReviewMarkdown(result));
  fs.writeFileSync(`${stem}.json`, JSON.stringify(result, null, 2) + "\n");

  console.log(`\n# Review at scale, measured\n`);
  for (const l of reviewHeaderLines(result)) console.log(l);
  console.log("");
  console.log(formatReviewTable(result));
  const cpu = formatCpuTable(result);
  if (cpu) console.log(`\nCPU per decision (ms), by who spent it:\n\n${cpu}`);
  console.log(`\nDatabase work per decision:\n\n${formatDatabaseTable(result)}`);
  console.log("");
  for (const l of reviewTargetLines(result)) console.log(`target: ${l}`);
  if (errors.length) console.log(`\nfirst errors:\n${errors.map((e) => `  ${e}`).join("\n")}`);
  if (appErrors.count) console.log(`\napp logged ${appErrors.count} error line(s); first: ${appErrors.first[0]}`);
  console.log(`\nwhole run ${result.totalSeconds.toFixed(0)} s; wrote ${stem}.md and ${stem}.json`);
  if (opts.json) console.log(JSON.stringify(summaryJson(result)));
}

interface Reviewer {
  token: string;
  index: number;
  random: () => number;
}

interface PhaseContext {
  baseUrl: string;
  incorrect: number;
  errors: string[];
  countError: () => void;
  /** A connection of the bench's own, for the database's statistics. */
  stats: pg.Client;
}

interface NextItem {
  prediction_id: number;
  prediction: { label: string; labels: string[] };
  queue: { remaining: number };
}

/**
 * Every reviewer loops GET /api/review/next → (a person's pause) → POST /api/reviews until the
 * phase's time is up (a decision under way is finished).
 */
async function runPhase(
  name: PhaseResult["name"],
  reviewers: Reviewer[],
  until: { seconds: number; paced: boolean },
  ctx: PhaseContext,
  cpuOf: () => ReturnType<typeof cpuSnapshot>,
): Promise<PhaseResult> {
  const nextMs: number[] = [];
  const submitMs: number[] = [];
  const statuses = { next: {} as Record<string, number>, submit: {} as Record<string, number> };
  const remaining = { first: null as number | null, last: null as number | null };
  let decisions = 0;
  let empty = 0;
  let errors = 0;
  const fail = (what: string, status: string, body: string) => {
    errors++;
    ctx.countError();
    if (ctx.errors.length < FIRST_ERRORS) ctx.errors.push(`${name}: ${what} → ${status} ${body.slice(0, 300)}`);
  };
  const pgBefore = await readPgCounters(ctx.stats);
  const loadBefore = os.loadavg();
  const cpuBefore = cpuOf();
  const start = performance.now();
  const deadline = start + until.seconds * 1000;

  const work = async (r: Reviewer) => {
    const headers = { authorization: `Bearer ${r.token}` };
    // People at work are each somewhere in their pause when the phase begins, not all at its start.
    // Started together, the 32 first requests shared the CPU as one burst and each took 115–131 ms
    // (200,000 faces): they were the phase's 10 slowest, its whole next p99. Started apart: 5–11 ms.
    if (until.paced) await sleep(r.random() * 1500);
    while (performance.now() < deadline) {
      const next = await send(`${ctx.baseUrl}/api/review/next`, { headers });
      nextMs.push(next.ms);
      statuses.next[next.status] = (statuses.next[next.status] ?? 0) + 1;
      if (next.status === "204") {
        empty++;
        return; // nothing left for this reviewer
      }
      if (next.status !== "200") {
        fail("GET /api/review/next", next.status, next.body);
        await sleep(100);
        continue;
      }
      let item: NextItem;
      try {
        item = JSON.parse(next.body) as NextItem;
        if (!Number.isInteger(item.prediction_id) || !Array.isArray(item.prediction?.labels)) throw new Error("shape");
      } catch {
        fail("GET /api/review/next (unexpected body)", next.status, next.body);
        continue;
      }
      remaining.first ??= item.queue?.remaining ?? null;
      remaining.last = item.queue?.remaining ?? null;
      if (until.paced) await sleep(500 + r.random() * 1000);
      const others = item.prediction.labels.filter((l) => l !== item.prediction.label);
      const body =
        r.random() < ctx.incorrect && others.length
          ? {
              prediction_id: item.prediction_id,
              verdict: "incorrect",
              corrected_label: others[Math.floor(r.random() * others.length)],
            }
          : { prediction_id: item.prediction_id, verdict: "correct" };
      const submit = await send(`${ctx.baseUrl}/api/reviews`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      submitMs.push(submit.ms);
      statuses.submit[submit.status] = (statuses.submit[submit.status] ?? 0) + 1;
      if (submit.status === "201") decisions++;
      else fail(`POST /api/reviews ${JSON.stringify(body)}`, submit.status, submit.body);
    }
  };
  await Promise.all(reviewers.map(work));
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuBetween(cpuBefore, cpuOf());
  const loadAfter = os.loadavg();
  // Backends report their statistics within a second of going idle.
  await sleep(1500);
  const pgAfter = await readPgCounters(ctx.stats);
  return {
    name,
    seconds,
    decisions,
    decisionsPerSecond: decisions / seconds,
    next: latency(nextMs),
    submit: latency(submitMs),
    statuses,
    empty,
    errors,
    remaining,
    cpu,
    // Includes the bench's own three statements reading the statistics.
    database: pgCountersBetween(pgBefore, pgAfter),
    loadAverage: { before: loadBefore, after: loadAfter },
  };
}

/**
 * The web server's own cost per request: the same concurrency on GET /api/review/next with a token
 * that is not one of the app's (no `elt_` prefix), which the route wrapper refuses (401) before any
 * database query. Any other answer counts as not refused.
 */
async function runFloor(
  baseUrl: string,
  clients: number,
  seconds: number,
  cpuOf: () => ReturnType<typeof cpuSnapshot>,
): Promise<FloorResult> {
  const ms: number[] = [];
  let other = 0;
  const cpuBefore = cpuOf();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const r = await send(`${baseUrl}/api/review/next`, { headers: { authorization: "Bearer not-a-token" } });
        ms.push(r.ms);
        if (r.status !== "401") other++;
      }
    }),
  );
  const wall = (performance.now() - start) / 1000;
  const cpu = cpuBetween(cpuBefore, cpuOf());
  return {
    seconds: wall,
    requests: ms.length,
    requestsPerSecond: ms.length / wall,
    latency: latency(ms),
    notRefused: other,
    appCpuMsPerRequest: cpu ? (cpu.groups.app * 1000) / Math.max(ms.length, 1) : null,
    cpu,
  };
}

/** Waits until the app's output has a line matching `re` (or the time is up: then goes on). */
async function waitForOutput(a: TestApp, re: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(a.output()) && Date.now() < deadline) await sleep(250);
}

/** One request, timed from sending it to reading the whole answer; a request with no answer is status "network". */
async function send(url: string, init: RequestInit): Promise<{ status: string; body: string; ms: number }> {
  const t = performance.now();
  try {
    const res = await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await res.text();
    return { status: String(res.status), body, ms: performance.now() - t };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return {
      status: "network",
      body: `${err instanceof Error ? err.message : String(err)}${cause}`,
      ms: performance.now() - t,
    };
  }
}

function phaseLine(p: PhaseResult): string {
  return (
    `  ${p.name}: ${p.decisions} decisions in ${p.seconds.toFixed(1)} s = ${p.decisionsPerSecond.toFixed(1)}/s; ` +
    `next p50/p95/p99 ${p.next.p50.toFixed(1)}/${p.next.p95.toFixed(1)}/${p.next.p99.toFixed(1)} ms, ` +
    `submit ${p.submit.p50.toFixed(1)}/${p.submit.p95.toFixed(1)}/${p.submit.p99.toFixed(1)} ms; ${p.errors} errors` +
    (p.cpu ? `; machine ${(p.cpu.machineBusy * 100).toFixed(0)} % busy` : "")
  );
}

async function describeDatabase(url: string): Promise<{ version: string; settings: Record<string, string> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const settings: Record<string, string> = {};
    for (const name of ["shared_buffers", "work_mem", "synchronous_commit", "max_connections"]) {
      settings[name] = (await c.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
    }
    return {
      version: (await c.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version,
      settings,
    };
  } finally {
    await c.end();
  }
}

/** The commit measured, and the app's files that differ from it (uncommitted changes). */
function codeVersion(): ReviewResult["code"] {
  const git = (...args: string[]) => spawnSync("git", args, { encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return null;
  const changed = git(
    "status",
    "--porcelain",
    "--",
    "app",
    "lib",
    "prisma",
    "scripts",
    "next.config.ts",
    "package.json",
  );
  return {
    commit: head.stdout.trim(),
    uncommitted: changed.stdout
      .split("\n")
      .map((l) => l.slice(3).trim())
      .filter(Boolean),
  };
}

/** What the app logged about requests that failed (the route wrapper's "[api] …" lines). */
function appErrorLines(output: string): { count: number; first: string[] } {
  const lines = output.split("\n").filter((l) => /\[api\]|Error:|error/i.test(l) && !/warm-up failed/.test(l));
  return { count: lines.length, first: lines.slice(0, 10).map((l) => l.slice(0, 300)) };
}

function notes(o: Options): string[] {
  return [
    `Seed (SQL, INSERT … SELECT generate_series, row triggers off, states computed as the triggers do): one active model version ` +
      `(${SEED_SETTINGS.verdictsPerFace} verdict per face, ${SEED_SETTINGS.extraReviewShare * 100} % of faces asking one more by the ` +
      `settings' seeded hash, no golden faces and control share 0). ${REVIEWED_SHARE * 100} % of single-verdict faces have their verdict; ` +
      `of two-verdict faces ${TWO_VERDICTS_SHARE * 100} % have both (${DISAGREE_SHARE * 100} % of those disagree: a conflict) and ` +
      `${ONE_OF_TWO_SHARE * 100} % one. Seeded verdicts are ${INCORRECT_SHARE * 100} % incorrect with a random other label, from the ` +
      `bench's own reviewers, so each reviewer's history is in the queue's "not judged by me" check. Faces with a verdict are ` +
      `chosen at random, not by margin, so the open faces spread over the whole margin range. Probabilities: 7 values ` +
      `exp(k·U), k drawn per face, normalized; label = argmax, margin = top1 − top2. The tables are vacuumed and analyzed.`,
    `Each reviewer: GET /api/review/next (default order: uncertain, smallest margin first), then — in the paced phase — a ` +
      `pause of 0.5–1.5 s (looking at the face, holding the claim), then POST /api/reviews: "correct", or with probability ` +
      `${o.incorrect} "incorrect" with another of the prediction's labels. In the paced phase each reviewer starts after a ` +
      `random 0–1.5 s, as people are each somewhere in their pause. A decision is a 201. Percentiles are nearest-rank ` +
      `over every request of the phase; a phase ends when its time is up and every decision under way is finished.`,
    `Errors: any answer other than 200/204 (next) or 201 (submit), or no answer within ${REQUEST_TIMEOUT_MS / 1000} s.`,
    `The app, the PostgreSQL server and the bench's own HTTP clients share the machine's cores, and other work ran on the ` +
      `machine at the same time; "machine busy" and the "other" CPU column show how much.`,
  ];
}

async function teardown(): Promise<void> {
  const a = app;
  app = null;
  if (a) {
    console.error(keep && !database ? `stopping the app (keeping ${a.work}) …` : "stopping the app …");
    await a
      .stop({ keepFiles: keep && !database })
      .catch((err: unknown) => console.error(`could not stop the app cleanly: ${String(err)}`));
  }
  const d = database;
  database = null;
  if (d) {
    if (keep) console.error(`kept the database: ${d.url}`);
    else await d.drop().catch((err: unknown) => console.error(`could not drop the database: ${String(err)}`));
  }
}

let exiting = false;
async function shutdown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  if (code !== 0 && app)
    console.error(`launcher: ${app.launcherState()}\nlast app output:\n${app.output().slice(-3000)}`);
  await teardown();
  process.exit(code);
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    void shutdown(130);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main()
  .then(() => shutdown(0))
  .catch((err: unknown) => {
    console.error(
      err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err),
    );
    return shutdown(err instanceof UsageError ? 2 : 1);
  });
