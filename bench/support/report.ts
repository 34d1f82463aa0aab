import os from "node:os";
import type { QueueOrder } from "@/lib/review/schemas";
import type { EvalMetrics } from "@/training/metrics";
import { FERPLUS_COLUMNS, FERPLUS_TO_MODEL, type FerPlusColumn, type SkipReason } from "./ferplus";

/** The product brief's targets for the loop. */
export const TARGETS = {
  /** Accuracy against FER+ must rise by at least this much after this many corrections. */
  ferplusGain: 0.06,
  ferplusAfterCorrections: 1000,
  /** Accuracy against the original labels may drop by at most this much (forgetting). */
  maxOriginalDrop: 0.005,
} as const;

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
}

/** The machine a benchmark ran on. */
export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    ramGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
  };
}

/**
 * How the simulated reviewer meets the faces: `arrival` answers each one as it is uploaded; the
 * others upload the whole stream first, then answer it in that order of the app's review queue.
 */
export const LOOP_ORDERS = ["arrival", "uncertain", "random", "newest"] as const satisfies readonly OrderName[];
/** The queue's names are the app's own, so a renamed order fails to compile here rather than answer 400. */
type OrderName = "arrival" | QueueOrder;
export type LoopOrder = (typeof LOOP_ORDERS)[number];

export interface Score {
  ferplus: EvalMetrics;
  original: EvalMetrics;
}

export interface CheckpointRow {
  /** The checkpoint asked for ("100", "all"). */
  checkpoint: string;
  /** Stream faces uploaded so far. */
  faces: number;
  /** Verdicts given so far (faces with a FER+ label). */
  verdicts: number;
  /** Of those, marked incorrect. */
  incorrect: number;
  job: {
    id: number;
    status: string;
    error: string | null;
    /** Queued → finished, as the admin waits for it. */
    wallSeconds: number;
    /** The fine-tune alone (the candidate's metrics.training.durationSeconds). */
    trainSeconds: number | null;
    backend: string | null;
    snapshot: unknown;
    decision: string | null;
    /** The gate's own held-out slice (from the reviewers' verdicts), candidate vs active. */
    gate: { candidate: number; active: number | null; n: number } | null;
  };
  candidate: { id: number; version: number; status: string; promoted: boolean } | null;
  score: Score | null;
}

export interface LoopResult {
  date: string;
  machine: Machine;
  backend: { app: string | null; bench: string };
  base: { dir: string; name: string | null };
  data: { dir: string; mappingCsv: string; ferplusCsv: string };
  seed: number;
  order: LoopOrder;
  holdoutFraction: number;
  split: {
    faces: number;
    stream: number;
    streamUsed: number;
    /** Drawn by the split, before exact copies were dropped. */
    holdoutDrawn: number;
    holdoutDropped: { copyInStream: number; copyInTrain: number; trainDir: string | null };
    holdout: number;
    holdoutWithCrowdLabel: number;
    crowdColumns: Record<FerPlusColumn, number>;
    skipped: Record<SkipReason, number>;
  };
  params: Record<string, unknown>;
  appEnv: Record<string, string | number | boolean | null>;
  baseline: Score & { version: number };
  rows: CheckpointRow[];
  /** The first faces answered, in the order they were answered, with the prediction the reviewer saw. */
  firstAnswered: { upload: number; face: string; predicted: string; margin: number; verdict: string }[];
  /** Answers that are not corrections (queue orders): never trained on, not counted toward checkpoints. */
  otherVerdicts: { not_a_face: number; unsure: number };
  notes: string[];
  timings: { startupSeconds: number; streamSeconds: number; facesPerSecond: number; totalSeconds: number };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const pts = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}`;

/** The results table, one row for the baseline and one per checkpoint, as Markdown. */
export function formatTable(r: LoopResult): string {
  const head = [
    "checkpoint",
    "version",
    "corrections",
    "incorrect share",
    "acc vs FER+ (holdout)",
    "Δ vs baseline",
    "acc vs original (holdout)",
    "Δ vs baseline",
    "promoted?",
    "train time (s)",
    "backend",
  ];
  const rows: string[][] = [
    [
      "baseline",
      `v${r.baseline.version}`,
      "0",
      "–",
      pct(r.baseline.ferplus.accuracy),
      "–",
      pct(r.baseline.original.accuracy),
      "–",
      "(active)",
      "–",
      r.backend.app ?? "?",
    ],
  ];
  for (const c of r.rows) {
    const s = c.score;
    rows.push([
      c.checkpoint,
      c.candidate ? `v${c.candidate.version}` : `job ${c.job.id}: ${c.job.status.toLowerCase()}`,
      String(c.verdicts),
      c.verdicts ? pct(c.incorrect / c.verdicts) : "–",
      s ? pct(s.ferplus.accuracy) : "–",
      s ? pts(s.ferplus.accuracy - r.baseline.ferplus.accuracy) : "–",
      s ? pct(s.original.accuracy) : "–",
      s ? pts(s.original.accuracy - r.baseline.original.accuracy) : "–",
      c.candidate ? (c.candidate.promoted ? "yes" : "no") : "–",
      c.job.trainSeconds !== null ? c.job.trainSeconds.toFixed(c.job.trainSeconds < 10 ? 1 : 0) : "–",
      c.job.backend ?? "–",
    ]);
  }
  return markdownTable(head, rows);
}

/** How the run did against the product brief's targets, one line each. */
export function targetLines(r: LoopResult): string[] {
  const scored = r.rows.filter((c) => c.score);
  const at = scored.find((c) => c.verdicts >= TARGETS.ferplusAfterCorrections);
  const gain = at?.score ? at.score.ferplus.accuracy - r.baseline.ferplus.accuracy : null;
  const ferplusLine =
    gain === null || !at
      ? `not reached: the run ended at ${r.rows.at(-1)?.verdicts ?? 0} corrections`
      : `${pts(gain)} points after ${at.verdicts} corrections → ${gain >= TARGETS.ferplusGain - 1e-9 ? "MET" : "NOT MET"}`;
  // The brief pairs both figures at the 1,000-correction checkpoint; the worst drop of any
  // checkpoint is shown beside it, since later ones train on more crowd labels.
  const drops = scored.map((c) => ({ c, d: c.score!.original.accuracy - r.baseline.original.accuracy }));
  const worst = drops.reduce<(typeof drops)[number] | null>((w, x) => (!w || x.d < w.d ? x : w), null);
  const dropAt = at?.score ? at.score.original.accuracy - r.baseline.original.accuracy : null;
  const ok = (d: number) => (d >= -TARGETS.maxOriginalDrop - 1e-9 ? "MET" : "NOT MET");
  const worstText = worst ? `worst of all checkpoints ${pts(worst.d)} (${worst.c.checkpoint})` : "";
  const forgetLine =
    dropAt !== null && at
      ? `${pts(dropAt)} points after ${at.verdicts} corrections → ${ok(dropAt)}; ${worstText}`
      : worst
        ? `not reached at ${TARGETS.ferplusAfterCorrections} corrections; ${worstText} → ${ok(worst.d)}`
        : "no version measured";
  return [
    `≥ +${TARGETS.ferplusGain * 100} points vs FER+ after ${TARGETS.ferplusAfterCorrections.toLocaleString("en")} corrections: ${ferplusLine}`,
    `≤ ${TARGETS.maxOriginalDrop * 100} point lost vs original labels after ${TARGETS.ferplusAfterCorrections.toLocaleString("en")} corrections (forgetting): ${forgetLine}`,
  ];
}

export function headerLines(r: LoopResult): string[] {
  return [
    `date: ${r.date}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.ramGiB.toFixed(0)} GiB RAM (${r.machine.os}, Node ${r.machine.node})`,
    `backend: app ${r.backend.app ?? "unknown"} (GET /api/health); measurement in the bench process: ${r.backend.bench}`,
    `base model: ${r.base.dir}${r.base.name ? ` (${r.base.name})` : ""}`,
    `order: ${orderText(r.order)}`,
    `seed: ${r.seed}; split of ${r.data.dir}: ${r.split.faces} faces → stream ${r.split.stream} (${r.split.streamUsed} used), ` +
      `holdout ${r.split.holdout} (${r.split.holdoutWithCrowdLabel} with a FER+ label; ${Math.round(r.holdoutFraction * 100)} % per class = ` +
      `${r.split.holdoutDrawn}, less exact copies of ${r.split.holdoutDropped.copyInStream} stream and ` +
      `${r.split.holdoutDropped.trainDir ? r.split.holdoutDropped.copyInTrain : "(unchecked)"} train images)`,
    `job params: ${Object.entries(r.params)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(", ")}; app env: ${Object.entries(r.appEnv)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(", ")}`,
  ];
}

/** What an order means for the run, in a few words. */
export function orderText(order: LoopOrder): string {
  return order === "arrival"
    ? "arrival (each face answered as it is uploaded)"
    : `${order} (the whole stream uploaded first, then answered as GET /api/review/next?order=${order} serves it)`;
}

/** The whole results file. */
export function renderMarkdown(r: LoopResult): string {
  const mapping = markdownTable(
    ["FER+ majority", "reviewer's label", "faces (whole folder)", "why"],
    FERPLUS_COLUMNS.map((c) => [
      c,
      FERPLUS_TO_MODEL[c].label ?? "(skipped)",
      String(r.split.crowdColumns[c]),
      FERPLUS_TO_MODEL[c].note,
    ]),
  );
  const skipped = Object.entries(r.split.skipped)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const jobs = r.rows.map(
    (c) =>
      `- checkpoint ${c.checkpoint}: job ${c.job.id} ${c.job.status.toLowerCase()} in ${c.job.wallSeconds.toFixed(0)} s` +
      (c.job.error ? ` — ${c.job.error}` : "") +
      (c.job.gate
        ? `; gate's held-out slice ${pct(c.job.gate.candidate)} vs active ${c.job.gate.active === null ? "–" : pct(c.job.gate.active)} (n=${c.job.gate.n})`
        : "") +
      (c.job.decision ? `; ${c.job.decision}` : ""),
  );
  return [
    `# The loop, measured — ${r.date.slice(0, 10)}, ${r.backend.app ?? "unknown backend"}, order ${r.order}, seed ${r.seed}`,
    "",
    ...headerLines(r).map((l) => `- ${l}`),
    "",
    "## Targets (product brief)",
    "",
    ...targetLines(r).map((l) => `- ${l}`),
    "",
    "## Results",
    "",
    formatTable(r),
    "",
    "Each checkpoint: the simulated reviewer has given that many verdicts; an admin then starts a retrain (POST /api/training-jobs, " +
      "base = the active version) and the bench measures the job's candidate, promoted or not, on the bench's own holdout.",
    "",
    ...jobs,
    "",
    `First faces answered (upload id, the prediction's label and margin, the verdict): ${
      r.firstAnswered.map((a) => `#${a.upload} ${a.predicted} ${a.margin.toFixed(3)} ${a.verdict}`).join("; ") || "none"
    }.` +
      (r.otherVerdicts.not_a_face + r.otherVerdicts.unsure
        ? ` Besides the corrections: ${r.otherVerdicts.not_a_face} not_a_face and ${r.otherVerdicts.unsure} unsure.`
        : ""),
    "",
    "## How to read it",
    "",
    ...r.notes.map((n) => `- ${n}`),
    "",
    "## FER+ → model labels",
    "",
    "Majority over the 10 FER+ vote columns (8 emotions + unknown + NF); a tie for the most votes skips the face.",
    "",
    mapping,
    "",
    `Skipped faces: ${skipped}.`,
    "",
    "## Timings",
    "",
    `- app start (launcher, migrations, web server, worker): ${r.timings.startupSeconds.toFixed(0)} s`,
    `- stream (${r.order === "arrival" ? "upload + verdict" : "uploads, then queue claims + verdicts"} over HTTP, excluding jobs and measurement): ${r.timings.streamSeconds.toFixed(0)} s, ${r.timings.facesPerSecond.toFixed(1)} faces/s`,
    `- whole run: ${r.timings.totalSeconds.toFixed(0)} s`,
    "",
  ].join("\n");
}

export function markdownTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export interface Spread {
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** Mean, sample standard deviation (0 for one value) and range. */
export function spread(xs: number[]): Spread {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** What summarizeOrders reads of a run; a LoopResult is one. */
export interface OrderRun {
  order: string;
  baseline: { ferplus: { accuracy: number }; original: { accuracy: number } };
  rows: {
    checkpoint: string;
    verdicts: number;
    score: { ferplus: { accuracy: number }; original: { accuracy: number } } | null;
  }[];
}

export interface OrderCheckpoint {
  order: string;
  /** "100", "all", or "end" for the retrain after the last face when a count was not reached (its count varies by seed). */
  checkpoint: string;
  /** Corrections given by this checkpoint, lowest and highest over the runs. */
  corrections: { min: number; max: number };
  /** Runs with a measured version here (a failed job leaves none). */
  runs: number;
  /** Accuracy minus the baseline's on the same seed's holdout, over the measured runs; null when none was measured. */
  dFerplus: Spread | null;
  dOriginal: Spread | null;
}

/**
 * Per order and checkpoint, over the seeds: each run's change against its own seed's baseline (the
 * holdout differs by seed, so accuracies of different seeds are never compared directly). Orders
 * come as they first appear in the runs, checkpoints by count, then "all" / "end".
 */
export function summarizeOrders(runs: readonly OrderRun[]): OrderCheckpoint[] {
  const groups = new Map<
    string,
    { order: string; checkpoint: string; verdicts: number[]; dF: number[]; dO: number[] }
  >();
  for (const run of runs) {
    for (const row of run.rows) {
      const checkpoint = row.checkpoint.startsWith("end") ? "end" : row.checkpoint;
      const key = JSON.stringify([run.order, checkpoint]);
      const group = groups.get(key) ?? { order: run.order, checkpoint, verdicts: [], dF: [], dO: [] };
      groups.set(key, group);
      group.verdicts.push(row.verdicts);
      if (row.score) {
        group.dF.push(row.score.ferplus.accuracy - run.baseline.ferplus.accuracy);
        group.dO.push(row.score.original.accuracy - run.baseline.original.accuracy);
      }
    }
  }
  const orders = [...new Set(runs.map((r) => r.order))];
  const rank = (c: string) => (/^\d+$/.test(c) ? Number(c) : Infinity);
  return [...groups.values()]
    .sort(
      (a, b) =>
        orders.indexOf(a.order) - orders.indexOf(b.order) ||
        rank(a.checkpoint) - rank(b.checkpoint) ||
        a.checkpoint.localeCompare(b.checkpoint),
    )
    .map((g) => ({
      order: g.order,
      checkpoint: g.checkpoint,
      corrections: { min: Math.min(...g.verdicts), max: Math.max(...g.verdicts) },
      runs: g.dF.length,
      dFerplus: g.dF.length ? spread(g.dF) : null,
      dOriginal: g.dO.length ? spread(g.dO) : null,
    }));
}

/** Every run of one `--order … --seed …` invocation, side by side. */
export interface LoopOrdersResult {
  date: string;
  machine: Machine;
  backend: LoopResult["backend"];
  base: LoopResult["base"];
  data: LoopResult["data"];
  seeds: number[];
  orders: LoopOrder[];
  holdoutFraction: number;
  params: LoopResult["params"];
  appEnv: LoopResult["appEnv"];
  /** Each seed's baseline on its own holdout. */
  baselines: {
    seed: number;
    version: number;
    ferplus: number;
    nFerplus: number;
    original: number;
    nOriginal: number;
  }[];
  summary: OrderCheckpoint[];
  runs: {
    seed: number;
    order: LoopOrder;
    /** The run's own results file (.md; the .json beside it has everything). */
    file: string;
    rows: {
      checkpoint: string;
      verdicts: number;
      version: number | null;
      promoted: boolean | null;
      ferplus: number | null;
      dFerplus: number | null;
      original: number | null;
      dOriginal: number | null;
    }[];
  }[];
}

/** The runs (seeds × orders, in the order they ran) and their results files, one each. */
export function ordersResult(date: string, results: readonly LoopResult[], files: readonly string[]): LoopOrdersResult {
  const first = results[0];
  if (!first) throw new Error("no runs to compare");
  const seeds = [...new Set(results.map((r) => r.seed))];
  return {
    date,
    machine: first.machine,
    backend: first.backend,
    base: first.base,
    data: first.data,
    seeds,
    orders: [...new Set(results.map((r) => r.order))],
    holdoutFraction: first.holdoutFraction,
    params: first.params,
    appEnv: first.appEnv,
    baselines: seeds.map((seed) => {
      const b = results.find((r) => r.seed === seed)!.baseline;
      return {
        seed,
        version: b.version,
        ferplus: b.ferplus.accuracy,
        nFerplus: b.ferplus.n,
        original: b.original.accuracy,
        nOriginal: b.original.n,
      };
    }),
    summary: summarizeOrders(results),
    runs: results.map((r, i) => ({
      seed: r.seed,
      order: r.order,
      file: files[i] ?? "",
      rows: r.rows.map((c) => ({
        checkpoint: c.checkpoint,
        verdicts: c.verdicts,
        version: c.candidate?.version ?? null,
        promoted: c.candidate?.promoted ?? null,
        ferplus: c.score?.ferplus.accuracy ?? null,
        dFerplus: c.score ? c.score.ferplus.accuracy - r.baseline.ferplus.accuracy : null,
        original: c.score?.original.accuracy ?? null,
        dOriginal: c.score ? c.score.original.accuracy - r.baseline.original.accuracy : null,
      })),
    })),
  };
}

/** The comparison table: one row per order × checkpoint, the changes over the seeds. */
export function formatOrdersTable(summary: readonly OrderCheckpoint[]): string {
  const sd = (s: Spread | null, runs: number) => (s && runs >= 2 ? (s.sd * 100).toFixed(1) : "–");
  const range = (s: Spread | null, runs: number) => (s && runs >= 2 ? `${pts(s.min)} … ${pts(s.max)}` : "–");
  return markdownTable(
    [
      "order",
      "checkpoint",
      "corrections",
      "seeds",
      "Δ vs FER+ (mean)",
      "sd",
      "range",
      "Δ vs original (mean)",
      "sd",
      "range",
    ],
    summary.map((s) => [
      s.order,
      s.checkpoint,
      s.corrections.min === s.corrections.max ? String(s.corrections.min) : `${s.corrections.min}–${s.corrections.max}`,
      String(s.runs),
      s.dFerplus ? pts(s.dFerplus.mean) : "–",
      sd(s.dFerplus, s.runs),
      range(s.dFerplus, s.runs),
      s.dOriginal ? pts(s.dOriginal.mean) : "–",
      sd(s.dOriginal, s.runs),
      range(s.dOriginal, s.runs),
    ]),
  );
}

/** The comparison file: the table over the seeds, then every run's figures. */
export function renderOrdersMarkdown(o: LoopOrdersResult): string {
  const perRun = markdownTable(
    ["seed", "order", "checkpoint", "corrections", "acc vs FER+", "Δ", "acc vs original", "Δ", "promoted?"],
    o.runs.flatMap((r) =>
      r.rows.map((c) => [
        String(r.seed),
        r.order,
        c.checkpoint,
        String(c.verdicts),
        c.ferplus === null ? "–" : pct(c.ferplus),
        c.dFerplus === null ? "–" : pts(c.dFerplus),
        c.original === null ? "–" : pct(c.original),
        c.dOriginal === null ? "–" : pts(c.dOriginal),
        c.promoted === null ? "–" : c.promoted ? "yes" : "no",
      ]),
    ),
  );
  return [
    `# The loop by review order — ${o.date.slice(0, 10)}, ${o.backend.app ?? "unknown backend"}`,
    "",
    `- date: ${o.date}`,
    `- machine: ${o.machine.cpu}, ${o.machine.cores} cores, ${o.machine.ramGiB.toFixed(0)} GiB RAM (${o.machine.os}, Node ${o.machine.node})`,
    `- backend: app ${o.backend.app ?? "unknown"}; measurement in the bench process: ${o.backend.bench}`,
    `- base model: ${o.base.dir}${o.base.name ? ` (${o.base.name})` : ""}; data: ${o.data.dir}`,
    `- orders: ${o.orders.map(orderText).join("; ")}`,
    `- seeds: ${o.seeds.join(", ")}; baseline on each seed's holdout (${Math.round(o.holdoutFraction * 100)} % per class): ` +
      o.baselines
        .map(
          (b) =>
            `seed ${b.seed} v${b.version} ${pct(b.ferplus)} vs FER+ (n=${b.nFerplus}), ${pct(b.original)} vs original (n=${b.nOriginal})`,
        )
        .join("; "),
    `- job params: ${Object.entries(o.params)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(", ")}; app env: ${Object.entries(o.appEnv)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(", ")}`,
    "",
    formatOrdersTable(o.summary),
    "",
    "Δ is a version's accuracy minus the baseline's on the same seed's holdout, in points (mean over the seeds; sd = sample " +
      "standard deviation, range = lowest … highest, both from two seeds on); within a seed every order answers the same " +
      "faces with the same verdicts, so a difference between orders at one checkpoint comes from which faces were corrected first.",
    "",
    "## Every run",
    "",
    perRun,
    "",
    "## How to read it",
    "",
    "- Each run started its own app on a fresh database; a seed fixes the split, the holdout and the stream, the same for every order.",
    "- Under a queue order the whole stream is uploaded before the first verdict, so every prediction the reviewer sees (and " +
      "every margin the uncertain order sorts by) is the base version's; under arrival each face is predicted by the version " +
      "active when it arrives.",
    "- Corrections are correct/incorrect verdicts only. Faces without a FER+ label get no verdict under arrival; under a queue " +
      "order they are answered not_a_face (FER+ majority NF) or unsure, which the app never trains on.",
    "- The random order is the app's own: each claim starts at a random point of a shuffle the database drew when the face " +
      "was stored. Neither follows --seed, so it differs from run to run.",
    `- Each run in full: ${o.runs.map((r) => r.file).join(", ")}.`,
    "",
  ].join("\n");
}
