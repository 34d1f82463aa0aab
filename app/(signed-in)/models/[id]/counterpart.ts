import { readMetrics } from "../metrics";
import type { ModelVersionRow } from "../../_components/api-types";

export type CounterpartRow = Pick<ModelVersionRow, "id" | "version" | "metrics" | "name" | "status" | "parent_id">;

export interface Counterpart {
  version: CounterpartRow;
  /** Why this one, after "compared with version N, …": for the heading. */
  role: string;
  /** For column headings: "v2 (parent)". */
  short: string;
}

/** Whether two versions were ever scored on the same faces (one judged against the other when trained). */
export function scoredTogether(
  a: Pick<ModelVersionRow, "version" | "metrics">,
  b: Pick<ModelVersionRow, "version" | "metrics">,
) {
  const judgedAgainst = (x: typeof a, y: typeof a) => {
    const m = readMetrics(x.metrics);
    return m.kind === "trained" && m.data.active_version === y.version;
  };
  return a.version !== b.version && (judgedAgainst(a, b) || judgedAgainst(b, a));
}

/** How `other` relates to `model`, in words for the heading and a column. */
function describe(model: CounterpartRow, other: CounterpartRow): Pick<Counterpart, "role" | "short"> {
  if (model.parent_id === other.id) return { role: "its parent", short: "parent" };
  if (other.parent_id === model.id) return { role: "fine-tuned from it", short: "child" };
  if (other.status === "ACTIVE") return { role: "the active one", short: "active" };
  if (scoredTogether(model, other))
    return { role: "scored beside it on the same faces", short: other.status.toLowerCase() };
  return { role: other.status.toLowerCase(), short: other.status.toLowerCase() };
}

/**
 * The version to read this one beside. `chosen` (a version id from the page's address) wins when it
 * names another version. Otherwise: its parent; else the active version; else (the active version
 * without a parent, typically the installed baseline) the newest version scored beside it on the
 * same faces; else the newest other version. The choice depends on the lineage first, so a rollback
 * elsewhere does not change what a trained version's page compares it with.
 */
export function pickCounterpart(
  model: CounterpartRow,
  all: readonly CounterpartRow[],
  chosen?: number | null,
): Counterpart | null {
  const others = all.filter((v) => v.id !== model.id);
  const pick =
    others.find((v) => v.id === chosen) ??
    others.find((v) => v.id === model.parent_id) ??
    others.find((v) => v.status === "ACTIVE") ??
    others.find((v) => scoredTogether(model, v)) ??
    others[0];
  return pick ? { version: pick, ...describe(model, pick) } : null;
}
