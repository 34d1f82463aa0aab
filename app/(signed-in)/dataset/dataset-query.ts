import { ADMIN_FACE_FILTERS, faceSorts, type FaceSort } from "@/lib/dataset/schemas";

/**
 * The dataset browser's state as it lives in the page's address, so that a view can be shared and
 * comes back with the back button: GET /api/faces's filters under their own names, the sort, the
 * view (grid or table) and the face open in the drawer.
 */
export const FILTER_KEYS = [
  "predicted",
  "verdict",
  "state",
  "label",
  "golden",
  "flag",
  "model_version",
  "confidence_min",
  "confidence_max",
  "margin_min",
  "margin_max",
  "reviewer",
  "upload",
  "from",
  "to",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** Filters an admin may use and a reviewer may not (a reviewer filters by their own verdicts only). */
export const ADMIN_ONLY_FILTERS: readonly FilterKey[] = [...ADMIN_FACE_FILTERS, "reviewer"];

export type View = "grid" | "table";

export interface BrowserState {
  filters: Filters;
  sort: FaceSort;
  view: View;
  /** The face open in the drawer. */
  face: number | null;
}

export const DEFAULT_SORT: FaceSort = "newest";

function isSort(s: string | null): s is FaceSort {
  return s !== null && (faceSorts as readonly string[]).includes(s);
}

/** The state an address describes; unknown parameters are ignored, filter values are the server's to judge. */
export function readState(params: URLSearchParams): BrowserState {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  const sort = params.get("sort");
  const face = Number(params.get("face"));
  return {
    filters,
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    view: params.get("view") === "table" ? "table" : "grid",
    face: Number.isSafeInteger(face) && face > 0 ? face : null,
  };
}

/**
 * The address's search part after `changes` (null removes a parameter), in a fixed order and
 * without the defaults, so that equal views have equal addresses.
 */
export function withChanges(params: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value.trim() === "") next.delete(key);
    else next.set(key, value.trim());
  }
  if (next.get("sort") === DEFAULT_SORT) next.delete("sort");
  if (next.get("view") === "grid") next.delete("view");
  const order = ["view", ...FILTER_KEYS, "sort", "face"];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const sorted = [...next.entries()].sort(([a], [b]) => rank(a) - rank(b));
  const qs = new URLSearchParams(sorted).toString();
  return qs ? `?${qs}` : "";
}

/**
 * The filters as GET /api/faces and POST /api/faces/bulk take them. A date picked in the filter bar
 * is a day in the reader's time zone: "from" starts at its first moment, "to" ends with its last.
 */
export function apiFilters(filters: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (key === "from" || key === "to") out[key] = dayBound(value, key === "to") ?? value;
    else out[key] = value;
  }
  return out;
}

function dayBound(value: string, end: boolean): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (end ? 1 : 0));
  if (Number.isNaN(start.getTime())) return null;
  return new Date(start.getTime() - (end ? 1 : 0)).toISOString();
}

/** The query string of one page of GET /api/faces. */
export function listQuery(state: Pick<BrowserState, "filters" | "sort">, limit: number, cursor?: string): string {
  const qs = new URLSearchParams(apiFilters(state.filters));
  if (state.sort !== DEFAULT_SORT) qs.set("sort", state.sort);
  qs.set("limit", String(limit));
  if (cursor) qs.set("cursor", cursor);
  return qs.toString();
}

const number = new Intl.NumberFormat("en-US");

/** An estimate to three significant figures: 12,437 → 12,400. */
export function roundEstimate(n: number): number {
  if (n < 1000) return Math.round(n);
  const step = 10 ** (Math.floor(Math.log10(n)) - 2);
  return Math.round(n / step) * step;
}

/** "37 faces", "1 face", or "about 12,400 faces" for the planner's estimate. */
export function countText(total: { count: number; exact: boolean }): string {
  const n = total.exact ? total.count : roundEstimate(total.count);
  const text = `${number.format(n)} ${n === 1 ? "face" : "faces"}`;
  return total.exact ? text : `about ${text}`;
}

/** "1,234": counts in the selection and confirmations. */
export function formatCount(n: number): string {
  return number.format(n);
}
