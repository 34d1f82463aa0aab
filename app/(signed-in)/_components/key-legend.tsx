import { useId } from "react";
import type { KeyBinding } from "./shortcuts";
import styles from "./key-legend.module.css";

/** Keys and what they do, as a definition list ("–" between two keys reads "to"). */
export function KeyList({ keys }: { keys: readonly KeyBinding[] }) {
  return (
    <dl className={styles.keyList}>
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
  );
}

/** The keyboard shortcuts of a keyboard-first page, as a definition list beside its work. */
export function KeyLegend({ keys, note }: { keys: readonly KeyBinding[]; note?: string }) {
  const headingId = useId();
  return (
    <section className={styles.keyLegend} aria-labelledby={headingId} data-testid="key-legend">
      <h2 id={headingId} className="small-heading">
        Keyboard
      </h2>
      <KeyList keys={keys} />
      {note ? <p className="muted small">{note}</p> : null}
    </section>
  );
}
