"use client";

import styles from "./dataset.module.css";

const FORMATS = [
  { format: "csv", text: "CSV", hint: "the previous tool's columns first, then the rest" },
  { format: "jsonl", text: "JSON lines", hint: "one face per line, with its probabilities" },
  {
    format: "imagefolder",
    text: "Image folder (zip)",
    hint: "<label>/<crop>.png and metadata.csv, for Keras and Hugging Face loaders",
  },
] as const;

/**
 * Downloads of the faces the current filters match, as GET /api/export streams them (admins). Only
 * faces with a label (agreed or adjudicated) are in an export: open faces and ties have none yet.
 */
export function ExportMenu({ filters }: { filters: Record<string, string> }) {
  return (
    <details className={styles.exportMenu} data-testid="export-menu">
      <summary className="btn btn-ghost btn-small">Export</summary>
      <div className={`${styles.keysPanel} ${styles.exportPanel}`}>
        <p className={styles.exportNote}>
          {Object.keys(filters).length ? "The faces matching the filters" : "Every face"} with a label (agreed or
          adjudicated), streamed as:
        </p>
        <ul className={styles.exportList}>
          {FORMATS.map(({ format, text, hint }) => (
            <li key={format}>
              <a href={`/api/export?${new URLSearchParams({ format, ...filters })}`} download data-format={format}>
                {text}
              </a>{" "}
              <span className="muted">— {hint}</span>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}
