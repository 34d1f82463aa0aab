import type { JobProgress, TrainingJobRow } from "../_components/api-types";
import { formatDuration } from "../_components/format";
import styles from "./job-progress.module.css";

/** Share of the whole run done, 0–1: finished epochs plus the part of the current one. */
export function progressFraction(p: JobProgress): number {
  if (!p.epochs || !p.batches) return 0;
  return Math.min(1, Math.max(0, (p.epoch - 1 + p.batch / p.batches) / p.epochs));
}

/** Wall-clock time of a run so far, or in all once it ended. */
export function runSeconds(job: Pick<TrainingJobRow, "started_at" | "finished_at">, now = Date.now()): number | null {
  if (!job.started_at) return null;
  const end = job.finished_at ? Date.parse(job.finished_at) : now;
  return Math.max(0, (end - Date.parse(job.started_at)) / 1000);
}

export function runTime(job: Pick<TrainingJobRow, "started_at" | "finished_at">): string {
  const s = runSeconds(job);
  return s === null ? "—" : formatDuration(s);
}

/** A determinate bar with its percentage for assistive technology. */
export function ProgressBar({ fraction, label, large = false }: { fraction: number; label: string; large?: boolean }) {
  const pct = Math.round(fraction * 100);
  return (
    <div
      className={large ? `${styles.progress} ${styles.progressLarge}` : styles.progress}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={`${pct}%`}
    >
      <span className={styles.progressFill} style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
    </div>
  );
}
