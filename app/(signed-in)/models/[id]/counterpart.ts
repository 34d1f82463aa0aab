import { readMetrics } from "../metrics";
import type { ModelVersionRow } from "../../_components/api-types";

export interface Counterpart {
  version: Pick<ModelVersionRow, "version" | "metrics"> & { id: number | null };
  /** Why this one: for the heading and the column. */
  role: string;
  short: string;
}

/**
 * The version to read this one beside: the active one; for the active version itself, the one it
 * replaced (scored on the same faces when it was trained); failing that, the newest version that
 * was judged against it, which is where a baseline's only figures live.
 */
export function pickCounterpart(
  model: ModelVersionRow,
  active: ModelVersionRow | null,
  all: ModelVersionRow[],
): Counterpart | null {
  if (active && active.id !== model.id) return { version: active, role: "the active one", short: "active" };
  const m = readMetrics(model.metrics);
  const previous = m.kind === "trained" ? m.data.active_version : null;
  if (previous !== null && previous !== model.version) {
    const row = all.find((v) => v.version === previous);
    return {
      version: row ?? { id: null, version: previous, metrics: null },
      role: "which it replaced",
      short: "before",
    };
  }
  const later = all.find((v) => {
    const vm = readMetrics(v.metrics);
    return v.id !== model.id && vm.kind === "trained" && vm.data.active_version === model.version;
  });
  return later ? { version: later, role: "which was judged against it", short: "later" } : null;
}
