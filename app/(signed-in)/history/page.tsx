import type { Metadata } from "next";
import Form from "next/form";
import Link from "next/link";
import { requirePageUser } from "@/lib/auth/page-guard";
import { EMOTION_LABELS } from "@/lib/model/labels";
import { historyQuerySchema, verdicts } from "@/lib/review/schemas";
import { verdictNames } from "../_components/verdict-names";
import { HistoryTable, type HistoryFilters } from "./history-table";
import styles from "./page.module.css";

export const metadata: Metadata = { title: "History" };

const filterSchema = historyQuerySchema.pick({ reviewer: true, label: true, verdict: true });

type SearchParams = Record<string, string | string[] | undefined>;

/** Empty form fields arrive as "" and mean "any"; an invalid filter is dropped rather than failing the page. */
function parseFilters(sp: SearchParams): HistoryFilters {
  const filters: HistoryFilters = {};
  for (const key of ["reviewer", "label", "verdict"] as const) {
    const raw = sp[key];
    if (typeof raw !== "string" || raw.trim() === "") continue;
    const parsed = filterSchema.safeParse({ [key]: raw });
    const value = parsed.success ? parsed.data[key] : undefined;
    if (value) Object.assign(filters, { [key]: value });
  }
  return filters;
}

export default async function HistoryPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = parseFilters(await searchParams);
  const qs = new URLSearchParams(Object.entries(filters));
  const principal = await requirePageUser("history:read", `/history${qs.size ? `?${qs}` : ""}`);
  const mine = new URLSearchParams({ ...filters, reviewer: principal.email });

  return (
    <>
      <div className="page-head">
        <h1>History</h1>
        <p className="muted">Recent verdicts, newest first.</p>
      </div>

      <Form action="/history" className={`card ${styles.filters}`} aria-label="Filters">
        <div className="field">
          <label htmlFor="filter-reviewer">Reviewer</label>
          <input
            id="filter-reviewer"
            name="reviewer"
            type="text"
            placeholder="e-mail or user id"
            defaultValue={filters.reviewer ?? ""}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="filter-label">Emotion</label>
          <select id="filter-label" name="label" defaultValue={filters.label ?? ""}>
            <option value="">Any</option>
            {EMOTION_LABELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-verdict">Verdict</label>
          <select id="filter-verdict" name="verdict" defaultValue={filters.verdict ?? ""}>
            <option value="">Any</option>
            {verdicts.map((v) => (
              <option key={v} value={v}>
                {verdictNames[v]}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.filtersActions}>
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          <Link href="/history" className="btn btn-ghost">
            Clear
          </Link>
          <Link href={`/history?${mine}`} className="btn btn-ghost">
            Only mine
          </Link>
        </div>
      </Form>

      {/* Keyed by the filters so a new query starts from the first page. */}
      <HistoryTable key={qs.toString()} filters={filters} selfId={principal.userId} />
    </>
  );
}
