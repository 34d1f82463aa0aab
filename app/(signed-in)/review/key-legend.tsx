import styles from "./key-legend.module.css";

const keys: { keys: string[]; action: string }[] = [
  { keys: ["C", "Enter"], action: "Correct" },
  { keys: ["X"], action: "Incorrect… (pick the emotion)" },
  { keys: ["1", "–", "7"], action: "This emotion (Correct if it is the prediction)" },
  { keys: ["S"], action: "Skip" },
  { keys: ["U", "Ctrl Z"], action: "Undo last verdict" },
];

export function KeyLegend() {
  return (
    <section className={styles.keyLegend} aria-labelledby="key-legend-heading">
      <h2 id="key-legend-heading" className="small-heading">
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
      <p className="muted small">In the Incorrect form: 1–7 picks, Enter saves, Esc cancels.</p>
    </section>
  );
}
