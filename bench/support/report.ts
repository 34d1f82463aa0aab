import os from "node:os";
import type { EvalMetrics } from "@/training/metrics";
import { FERPLUS_COLUMNS, FERPLUS_TO_MODEL, type FerPlusColumn, type SkipReason } from "./ferplus";

/** The product brief's targets for the loop. */
export const TARGETS = {
  /** Accuracy against FER+ must rise by at least this much after this many corrections. */
  ferplusGain: 0.05,
  ferplusAfterCorrections: 1000,
  /** Accuracy against the original labels may drop by at most this much (forgetting). */
  maxOriginalDrop: 0.01,
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
    `# The loop, measured — ${r.date.slice(0, 10)}, ${r.backend.app ?? "unknown backend"}`,
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
    `- stream (upload + verdict over HTTP, excluding jobs and measurement): ${r.timings.streamSeconds.toFixed(0)} s, ${r.timings.facesPerSecond.toFixed(1)} faces/s`,
    `- whole run: ${r.timings.totalSeconds.toFixed(0)} s`,
    "",
  ].join("\n");
}

export function markdownTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}
