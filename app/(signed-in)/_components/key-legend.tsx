import { useId } from "react";
import styles from "./key-legend.module.css";

/** One row of the legend: the keys ("–" between two keys reads "to") and what they do. */
export interface KeyBinding {
  keys: string[];
  action: string;
}

/** The keyboard shortcuts of a keyboard-first page, as a definition list beside its work. */
export function KeyLegend({ keys, note }: { keys: readonly KeyBinding[]; note?: string }) {
  const headingId = useId();
  return (
    <section className={styles.keyLegend} aria-labelledby={headingId}>
      <h2 id={headingId} className="small-heading">
        Keyboard
      </h2>
      <dl>
        {keys.map((k) => (
          <div key={k.action} className={styles.keyLegendRow}>
            <dt>
              {k.keys.map((key, i) =>
                key === "–" ? (
                  <span key={i} aria-label="to">
                    –
                  </span>
                ) : (
                  <kbd key={i}>{key}</kbd>
                ),
              )}
            </dt>
            <dd>{k.action}</dd>
          </div>
        ))}
      </dl>
      {note ? <p className="muted small">{note}</p> : null}
    </section>
  );
}
