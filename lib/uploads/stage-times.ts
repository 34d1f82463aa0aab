/**
 * Where a request's time goes, stage by stage (decode, detect, crop, model, store), sent back as a
 * `Server-Timing` header so a browser's network panel and `npm run bench:serve` can both read it.
 */
export class StageTimes {
  readonly ms: Record<string, number> = {};

  /** Runs `run`, adding its duration to `stage` (a stage may run more than once). */
  time = async <T>(stage: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.ms[stage] = (this.ms[stage] ?? 0) + (performance.now() - started);
    }
  };

  /** `decode;dur=12.3, detect;dur=180.0, …` in the order the stages first ran. */
  header(): string {
    return Object.entries(this.ms)
      .map(([stage, ms]) => `${stage};dur=${ms.toFixed(1)}`)
      .join(", ");
  }
}

/** A `Server-Timing` header back into { stage: ms } (entries without a duration are skipped). */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
    if (name && dur) out[name] = Number(dur.slice(4));
  }
  return out;
}
