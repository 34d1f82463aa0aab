"use client";

import { useLayoutEffect, useRef } from "react";
import styles from "./job-log.module.css";

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** "2026-11-23T01:40:00.000Z started on …" → local time and message. */
function splitLogLine(line: string): { time: string | null; iso: string | null; text: string } {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(line);
  if (!m || !m[1]) return { time: null, iso: null, text: line };
  const at = new Date(m[1]);
  return Number.isNaN(at.getTime())
    ? { time: null, iso: null, text: line }
    : { time: timeOfDay.format(at), iso: m[1], text: m[2] ?? "" };
}

export function JobLog({ log, live }: { log: string; live: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  // Follow new lines only while the reader is at the bottom; scrolling up to read stops it.
  const follow = useRef(true);
  const lines = log.split("\n").filter(Boolean);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [log]);

  return (
    <section className="card" aria-labelledby="log-heading">
      <div className="section-head">
        <h2 id="log-heading">Log</h2>
        {live ? <span className="muted small">Follows new lines while scrolled to the bottom</span> : null}
      </div>
      <pre
        ref={ref}
        className={styles.log}
        // Focusable so the keyboard can scroll it; a named region, not a live one (the
        // announcement above already reports progress without reading every line), named apart
        // from the section around it (two landmarks of one name cannot be told apart).
        tabIndex={0}
        role="region"
        aria-label="Log lines"
        data-testid="job-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 16;
        }}
      >
        {lines.map((line, i) => {
          const l = splitLogLine(line);
          return (
            <span key={i} className={styles.logLine}>
              {l.time ? (
                <time className={styles.logTime} dateTime={l.iso ?? undefined} title={l.iso ?? undefined}>
                  {l.time}
                </time>
              ) : null}
              <span className={/^(failed|gate)/.test(l.text) ? `${styles.logText} ${styles.isKey}` : styles.logText}>
                {l.text}
              </span>
              {"\n"}
            </span>
          );
        })}
      </pre>
    </section>
  );
}
