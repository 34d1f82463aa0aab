/** 0.7234 → "72%"; small values keep a decimal so the minor classes don't all read "0%". */
export function formatPercent(p: number): string {
  const pct = p * 100;
  if (pct <= 0) return "0%";
  if (pct < 0.1) return "<0.1%";
  if (pct < 1) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** Figures that are compared with each other: 0.7234 → "72.3%", always one decimal. */
export function formatAccuracy(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** Macro-F1 and other 0–1 scores read as scores, not percentages: 0.65 → "0.650". */
export function formatScore(x: number): string {
  return x.toFixed(3);
}

/** A signed difference with a real minus sign: +2.1 pts, −0.013. Zero reads "±0". */
export function formatDelta(d: number, unit: "points" | "score" | "count"): string {
  const abs = Math.abs(d);
  const text = unit === "points" ? `${(abs * 100).toFixed(1)} pts` : unit === "score" ? abs.toFixed(3) : String(abs);
  // Below the shown precision a difference is no difference.
  const zero = unit === "count" ? abs === 0 : abs < 0.0005;
  if (zero) return unit === "points" ? "±0 pts" : "±0";
  return `${d > 0 ? "+" : "−"}${text}`;
}

/** 75 → "1 min 15 s"; 4000 → "1 h 6 min" (minutes are whole, rounded down). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** For narrow table cells: the date and the time on lines of their own. */
export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

export function formatTime(iso: string): string {
  return timeOnly.format(new Date(iso));
}
