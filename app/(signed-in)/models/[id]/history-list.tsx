import { z } from "zod";
import type { ModelHistoryEntry } from "../../_components/api-types";
import { auditActionSentence } from "../../_components/audit-text";
import { formatDateTime } from "../../_components/format";
import styles from "./history-list.module.css";

const auditDetailsSchema = z.object({
  reason: z.string().optional(),
  from: z.object({ version: z.number() }).nullable().optional(),
  to: z.object({ version: z.number() }).optional(),
  replacedBy: z.object({ version: z.number() }).optional(),
  status: z.string().optional(),
});

export function HistoryList({ history }: { history: ModelHistoryEntry[] }) {
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {history.length === 0 ? (
        <p className="empty-inline">Nothing recorded for this version yet.</p>
      ) : (
        <ol className={styles.timeline} data-testid="model-history">
          {history.map((h, i) => {
            const parsed = auditDetailsSchema.safeParse(h.details);
            const d = parsed.success ? parsed.data : {};
            return (
              <li key={`${h.at}-${i}`}>
                <time dateTime={h.at} className="cell-time">
                  {formatDateTime(h.at)}
                </time>
                <div>
                  <strong>{auditActionSentence(h.action)}</strong>
                  {d.from ? <span className="muted"> (from version {d.from.version})</span> : null}
                  {d.replacedBy ? <span className="muted"> (version {d.replacedBy.version} became active)</span> : null}
                  {h.action === "model.register" && d.status ? (
                    <span className="muted"> as {d.status.toLowerCase()}</span>
                  ) : null}
                  <span className="muted"> · {h.actor ?? "system"}</span>
                  {d.reason ? <p className={`small ${styles.timelineNote}`}>“{d.reason}”</p> : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
