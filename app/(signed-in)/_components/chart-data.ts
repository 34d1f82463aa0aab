/**
 * Pure helpers for the charts: axes, shares and the sentences that stand in for a chart for people
 * who cannot see it (its aria-label). Nothing here touches the DOM or chart.js.
 */

/** The x range of a curve over epochs: the epochs actually run, with half an epoch of room for a single one. */
export function epochAxis(epochs: readonly number[]): { min: number; max: number } {
  const last = Math.max(1, ...epochs.filter(Number.isFinite));
  return last > 1 ? { min: 1, max: last } : { min: 0.5, max: 1.5 };
}

/** Counts → shares of their total (all 0 when the total is). */
export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total ? c / total : 0));
}

/** Per-position sums of several equally long series (a stacked chart's totals). */
export function stackTotals(series: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => series.reduce((sum, s) => sum + (s[i] ?? 0), 0));
}

/**
 * Each series' last value, for a chart's summary: "Training loss 0.52, Validation loss 0.61 at epoch 7".
 * Series without a value are left out; null when none has one.
 */
export function lastValues(
  series: readonly { name: string; points: readonly { x: number; y: number | null }[] }[],
  formatY: (y: number) => string,
): { x: number; text: string } | null {
  const found = series.flatMap((s) => {
    const last = [...s.points].reverse().find((p) => p.y !== null && Number.isFinite(p.y));
    return last && last.y !== null ? [{ name: s.name, x: last.x, y: last.y }] : [];
  });
  if (!found.length) return null;
  const x = Math.max(...found.map((f) => f.x));
  return { x, text: found.map((f) => `${f.name} ${formatY(f.y)}`).join(", ") };
}

/** "12 Nov" for a `YYYY-MM-DD` date, read as UTC (the dashboard's days are UTC days). */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** A `#rgb` or `#rrggbb` colour with an alpha, as canvas and chart.js read it; anything else as given. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim())?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
