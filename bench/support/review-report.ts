import type { Machine } from "./report";
import { markdownTable } from "./report";
import { CPU_GROUPS, type CpuShare } from "./proc-cpu";
import type { SeedResult } from "./review-seed";
import type { PgCounters } from "./pg-stats";

/** The product brief's targets for review at scale. */
export const REVIEW_TARGETS = {
  faces: 1_000_000,
  reviewers: 32,
  cores: 2,
  /** Paced reviewers: p99 of GET /api/review/next and of POST /api/reviews, ms. */
  pacedP99Ms: 50,
  /** Saturated reviewers: decisions per second. */
  saturatedDecisionsPerSecond: 200,
  errors: 0,
} as const;

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PhaseResult {
  name: "warm-up" | "paced" | "saturated";
  /** From the first request to the last reviewer's last answer. */
  seconds: number;
  decisions: number;
  decisionsPerSecond: number;
  next: Latency;
  submit: Latency;
  /** Answers by status, per endpoint ("network" for a request that got none). */
  statuses: { next: Record<string, number>; submit: Record<string, number> };
  /** 204s: nothing left for that reviewer (the reviewer stops for the phase). */
  empty: number;
  errors: number;
  /** queue.remaining as the first and the last 200 of the phase said it. */
  remaining: { first: number | null; last: number | null };
  cpu: CpuShare | null;
  /** What the phase did in the database (pg_stat_database, pg_stat_user_tables). */
  database: PgCounters;
  loadAverage: { before: number[]; after: number[] };
}

/** The same concurrency on a request refused before any query: what the web server costs by itself. */
export interface FloorResult {
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latency: Latency;
  /** Answers other than the expected 401. */
  notRefused: number;
  appCpuMsPerRequest: number | null;
  cpu: CpuShare | null;
}

export interface ReviewResult {
  date: string;
  /** The commit measured and the app's files changed since (none: exactly that commit). */
  code: { commit: string; uncommitted: string[] } | null;
  machine: Machine;
  database: { kind: "server" | "embedded"; version: string; settings: Record<string, string> };
  options: {
    faces: number;
    reviewers: number;
    seconds: number;
    warmup: number;
    floor: number;
    seed: number;
    incorrectShare: number;
  };
  seed: Omit<SeedResult, "tokens">;
  startupSeconds: number;
  /** The start included a production build (the sources had changed since the last one). */
  startupBuilt: boolean;
  warmup: PhaseResult | null;
  paced: PhaseResult;
  saturated: PhaseResult;
  floor: FloorResult | null;
  errors: number;
  firstErrors: string[];
  /** Lines the app logged about failed requests during the run. */
  appErrors: { count: number; first: string[] };
  notes: string[];
  totalSeconds: number;
}

/** Nearest-rank percentiles, ms. */
export function latency(samples: number[]): Latency {
  const s = Float64Array.from(samples).sort();
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : NaN);
  return {
    count: s.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: s.length ? s[s.length - 1]! : NaN,
    mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN,
  };
}

const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : x.toFixed(0)) : "–");
const int = (n: number) => n.toLocaleString("en");

export function formatReviewTable(r: ReviewResult): string {
  const phases = [r.paced, r.saturated];
  return markdownTable(
    [
      "phase",
      "decisions",
      "decisions/s",
      "next p50",
      "next p95",
      "next p99",
      "submit p50",
      "submit p95",
      "submit p99",
      "errors",
    ],
    phases.map((p) => [
      p.name,
      int(p.decisions),
      p.decisionsPerSecond.toFixed(1),
      ms(p.next.p50),
      ms(p.next.p95),
      ms(p.next.p99),
      ms(p.submit.p50),
      ms(p.submit.p95),
      ms(p.submit.p99),
      String(p.errors),
    ]),
  );
}

/** CPU per decision by who spent it: where the time goes. */
export function formatCpuTable(r: ReviewResult): string | null {
  const phases = [r.paced, r.saturated].filter((p) => p.cpu);
  if (!phases.length) return null;
  return markdownTable(
    ["phase", "machine busy", ...CPU_GROUPS.map((g) => `${g} (ms CPU / decision)`)],
    phases.map((p) => [
      p.name,
      `${(p.cpu!.machineBusy * 100).toFixed(0)} %`,
      ...CPU_GROUPS.map((g) => ms((p.cpu!.groups[g] * 1000) / Math.max(p.decisions, 1))),
    ]),
  );
}

/** Database work per decision: statements, buffer reads, row updates. */
export function formatDatabaseTable(r: ReviewResult): string {
  const per = (n: number, p: PhaseResult) => (n / Math.max(p.decisions, 1)).toFixed(1);
  const t = (p: PhaseResult, name: string) =>
    p.database.tables[name] ?? { inserted: 0, updated: 0, hotUpdated: 0, seqScans: 0, indexScans: 0 };
  return markdownTable(
    [
      "phase",
      "transactions / decision",
      "blocks hit / decision",
      "blocks read / decision",
      "FaceState updates / decision (HOT)",
      "QueueTally updates / decision",
      "ApiToken updates / decision",
    ],
    [r.paced, r.saturated].map((p) => [
      p.name,
      per(p.database.transactions, p),
      per(p.database.blocksHit, p),
      per(p.database.blocksRead, p),
      `${per(t(p, "FaceState").updated, p)} (${per(t(p, "FaceState").hotUpdated, p)})`,
      per(t(p, "QueueTally").updated, p),
      per(t(p, "ApiToken").updated, p),
    ]),
  );
}

export function reviewTargetLines(r: ReviewResult): string[] {
  const t = REVIEW_TARGETS;
  const met = (ok: boolean) => (ok ? "MET" : "NOT MET");
  const scale =
    r.options.faces === t.faces && r.options.reviewers === t.reviewers && r.machine.cores === t.cores
      ? ""
      : ` (the target is set for ${int(t.faces)} faces, ${t.reviewers} reviewers, ${t.cores} cores; this run: ` +
        `${int(r.options.faces)} faces, ${r.options.reviewers} reviewers, ${r.machine.cores} cores)`;
  return [
    `paced next p99 < ${t.pacedP99Ms} ms: ${ms(r.paced.next.p99)} ms → ${met(r.paced.next.p99 < t.pacedP99Ms)}${scale}`,
    `paced submit p99 < ${t.pacedP99Ms} ms: ${ms(r.paced.submit.p99)} ms → ${met(r.paced.submit.p99 < t.pacedP99Ms)}${scale}`,
    `saturated ≥ ${t.saturatedDecisionsPerSecond} decisions/s: ${r.saturated.decisionsPerSecond.toFixed(1)} → ` +
      `${met(r.saturated.decisionsPerSecond >= t.saturatedDecisionsPerSecond)}${scale}`,
    `errors = 0: ${r.errors} → ${met(r.errors === 0)}`,
  ];
}

export function reviewHeaderLines(r: ReviewResult): string[] {
  const c = r.seed.counts;
  return [
    `date: ${r.date}`,
    `code: ${r.code ? `${r.code.commit}${r.code.uncommitted.length ? ` with uncommitted changes to ${r.code.uncommitted.join(", ")}` : ""}` : "unknown"}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.ramGiB.toFixed(0)} GiB RAM (${r.machine.os}, Node ${r.machine.node}); ` +
      `shared with other work while it ran (see machine busy and "other" below)`,
    `database: PostgreSQL ${r.database.version} (${r.database.kind === "server" ? "server named by TEST_DATABASE_URL" : "embedded"}; ` +
      `${Object.entries(r.database.settings)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")})`,
    `faces: ${int(c.faces)}, reviewers: ${r.options.reviewers} (+1 admin), ${int(c.reviews)} verdicts seeded; ` +
      `${int(c.reviewedFaces)} faces reviewed (${((c.reviewedFaces / c.faces) * 100).toFixed(1)} %), ` +
      `${int(c.needTwo)} need two verdicts, ${int(c.openFaces)} open (${int(c.openWithVerdict)} of them with one verdict, ` +
      `${int(c.secondLooks)} sent back for a second look), ${int(c.conflicts)} conflicts`,
    `seeding: ${r.seed.seconds.toFixed(1)} s (${r.seed.steps.map((s) => `${s.step} ${s.seconds.toFixed(1)} s`).join("; ")}); ` +
      `${r.seed.checkedAgainstTrigger} sampled face states equal what refresh_face_state makes of their verdicts`,
    `app start: ${r.startupSeconds.toFixed(0)} s${r.startupBuilt ? " (including a production build: the sources had changed)" : ""}; phases: ${r.warmup ? `warm-up ${r.options.warmup} s without waits (not counted), ` : ""}` +
      `paced ${r.options.seconds} s (0.5–1.5 s per face), saturated ${r.options.seconds} s (no wait)`,
  ];
}

export function renderReviewMarkdown(r: ReviewResult): string {
  const cpu = formatCpuTable(r);
  const detail = [r.warmup, r.paced, r.saturated]
    .filter((p): p is PhaseResult => p !== null)
    .map(
      (p) =>
        `- ${p.name}: ${int(p.decisions)} decisions in ${p.seconds.toFixed(1)} s; next n=${p.next.count} mean ${ms(p.next.mean)} max ${ms(p.next.max)} ms, ` +
        `submit n=${p.submit.count} mean ${ms(p.submit.mean)} max ${ms(p.submit.max)} ms; statuses next ${JSON.stringify(p.statuses.next)}, ` +
        `submit ${JSON.stringify(p.statuses.submit)}; 204s ${p.empty}; queue remaining ${p.remaining.first ?? "–"} → ${p.remaining.last ?? "–"}; ` +
        `load average ${p.loadAverage.before.map((x) => x.toFixed(2)).join("/")} → ${p.loadAverage.after.map((x) => x.toFixed(2)).join("/")}`,
    );
  return [
    `# Review at scale, measured — ${r.date.slice(0, 10)}`,
    "",
    ...reviewHeaderLines(r).map((l) => `- ${l}`),
    "",
    "## Targets (product brief)",
    "",
    ...reviewTargetLines(r).map((l) => `- ${l}`),
    "",
    "## Results",
    "",
    "Latencies in ms, measured in the bench from sending the request to reading the whole answer.",
    "",
    formatReviewTable(r),
    "",
    ...detail,
    "",
    ...(r.floor
      ? [
          "## The web server by itself",
          "",
          `For ${r.floor.seconds.toFixed(0)} s, ${r.options.reviewers} clients sent GET /api/review/next with a token that is not ` +
            `one of the app's; the route wrapper refuses it (401) before any database query. ` +
            `${int(r.floor.requests)} requests = ${r.floor.requestsPerSecond.toFixed(0)}/s, p50 ${ms(r.floor.latency.p50)} ms, ` +
            `p99 ${ms(r.floor.latency.p99)} ms` +
            (r.floor.appCpuMsPerRequest !== null
              ? `; the app spent ${r.floor.appCpuMsPerRequest.toFixed(2)} ms CPU per request` +
                ` (machine ${((r.floor.cpu?.machineBusy ?? 0) * 100).toFixed(0)} % busy)`
              : "") +
            (r.floor.notRefused ? `; ${r.floor.notRefused} answers were not 401` : "") +
            ". A decision is two requests.",
          "",
        ]
      : []),
    ...(cpu
      ? [
          "## Where the CPU goes",
          "",
          "CPU seconds per group over each phase (from /proc), divided by the phase's decisions. The app is the launcher " +
            "and the Next.js server; postgres (this database) the backends serving the bench's database.",
          "",
          cpu,
          "",
        ]
      : []),
    "## Database work per decision",
    "",
    "From pg_stat_database and pg_stat_user_tables for the bench's database over each phase; a statement outside " +
      "BEGIN … COMMIT is a transaction of its own.",
    "",
    formatDatabaseTable(r),
    "",
    ...(r.firstErrors.length ? ["## First errors", "", ...r.firstErrors.map((e) => `- ${e}`), ""] : []),
    ...(r.appErrors.count
      ? [`## App log: ${r.appErrors.count} error line(s)`, "", ...r.appErrors.first.map((e) => `    ${e}`), ""]
      : []),
    "## How to read it",
    "",
    ...r.notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}

/** The one JSON object `--json` prints last on stdout. */
export function summaryJson(r: ReviewResult) {
  const phase = (p: PhaseResult) => ({
    decisions_per_s: round(p.decisionsPerSecond),
    next_ms: { p50: round(p.next.p50), p95: round(p.next.p95), p99: round(p.next.p99) },
    submit_ms: { p50: round(p.submit.p50), p95: round(p.submit.p95), p99: round(p.submit.p99) },
  });
  return {
    faces: r.options.faces,
    reviewers: r.options.reviewers,
    paced: phase(r.paced),
    saturated: phase(r.saturated),
    errors: r.errors,
  };
}

function round(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}
