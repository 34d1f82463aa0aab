"use client";

import { useEffect, useId, useRef, useState } from "react";
import { isTextEntry } from "./keyboard";
import { KeyList } from "./key-legend";
import { ModalDialog } from "./modal-dialog";
import { helpShortcut, matchShortcut, type ShortcutGroup } from "./shortcuts";
import styles from "./shortcut-help.module.css";

const closeKeys: ShortcutGroup = {
  title: "This list",
  shortcuts: [helpShortcut, { keys: ["Esc"], action: "Close it" }],
};

/**
 * Every keyboard shortcut of a page, in a modal dialog that `?` (or the button this renders) opens
 * and `?`, Esc or Close shut; focus goes back to where it was. The groups are the lists the page's
 * own key handlers match against, so the dialog cannot promise a key the page does not answer.
 * While it is open the page's shortcuts are held: no key reaches them.
 */
export function ShortcutHelp({ groups }: { groups: readonly ShortcutGroup[] }) {
  const headingId = useId();
  const [open, setOpen] = useState(false);
  const openRef = useRef(open);
  useEffect(() => {
    openRef.current = open;
  }, [open]);

  useEffect(() => {
    // Capture, on the window: before the page's handlers (and forms that stop keys reaching them).
    const listener = (e: KeyboardEvent) => {
      const isHelp = matchShortcut([helpShortcut], e) !== null;
      if (openRef.current) {
        e.stopPropagation();
        // Esc too: left to the browser, one Esc may close a dialog this one was opened over as well.
        if (isHelp || e.key === "Escape") {
          e.preventDefault();
          setOpen(false);
        }
        return;
      }
      if (!isHelp || e.defaultPrevented || e.repeat || isTextEntry(e.target)) return;
      e.preventDefault();
      e.stopPropagation();
      setOpen(true);
    };
    window.addEventListener("keydown", listener, true);
    return () => window.removeEventListener("keydown", listener, true);
  }, []);

  return (
    <>
      <button
        type="button"
        className={`btn btn-ghost btn-small ${styles.trigger}`}
        onClick={() => setOpen(true)}
        aria-keyshortcuts="?"
        data-testid="shortcut-help-open"
      >
        All shortcuts <kbd aria-hidden="true">?</kbd>
      </button>
      {open ? (
        <ModalDialog labelledBy={headingId} onDismiss={() => setOpen(false)} className={styles.dialog}>
          <div data-testid="shortcut-help">
            <div className={styles.head}>
              <h2 id={headingId}>Keyboard shortcuts</h2>
              <button type="button" className="btn btn-ghost btn-small" onClick={() => setOpen(false)}>
                Close <kbd aria-hidden="true">Esc</kbd>
              </button>
            </div>
            {[...groups, closeKeys].map((g) => (
              <section key={g.title} className={styles.group} aria-label={g.title}>
                <h3 className="small-heading">{g.title}</h3>
                <KeyList keys={g.shortcuts} />
              </section>
            ))}
          </div>
        </ModalDialog>
      ) : null}
    </>
  );
}
