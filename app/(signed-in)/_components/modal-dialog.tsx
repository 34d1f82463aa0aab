"use client";

import { useEffect, useLayoutEffect, useRef, type ReactNode } from "react";
import styles from "./modal-dialog.module.css";

interface Props {
  /** Id of the dialog's heading. */
  labelledBy: string;
  describedBy?: string;
  /** Esc, the backdrop and Cancel buttons call this; the parent unmounts the dialog. */
  onDismiss: () => void;
  /** False while a request is in flight, so the answer is not lost with the dialog. */
  dismissible?: boolean;
  className?: string;
  /**
   * Where focus goes when the dialog closes, when that is not the control that opened it (a drawer
   * that moved on to another item gives focus back to that item). Asked once the dialog is gone.
   */
  returnFocus?: () => HTMLElement | null;
  children: ReactNode;
}

/**
 * A modal <dialog>, open for as long as it is mounted. The browser traps focus in it, makes the
 * page behind inert and closes it on Esc; this adds focus return to whatever opened it (or to the
 * page's main region, when that control is gone after the change the dialog made).
 */
export function ModalDialog({
  labelledBy,
  describedBy,
  onDismiss,
  dismissible = true,
  className,
  returnFocus,
  children,
}: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnFocusRef = useRef(returnFocus);
  useEffect(() => {
    returnFocusRef.current = returnFocus;
  }, [returnFocus]);

  useLayoutEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog?.showModal();
    return () => {
      dialog?.close();
      // Next frame, once the change the dialog made has rendered and may have removed the opener.
      requestAnimationFrame(() => {
        const chosen = returnFocusRef.current?.() ?? null;
        const target = chosen?.isConnected ? chosen : opener?.isConnected ? opener : document.getElementById("main");
        // The main region is not scrolled to; a control is, in case the dialog's change moved it.
        target?.focus({ preventScroll: target !== opener && target !== chosen });
      });
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={className ? `${styles.modal} ${className}` : styles.modal}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(e) => {
        // Esc: the parent decides, by unmounting, so React state and the dialog never disagree.
        e.preventDefault();
        if (dismissible) onDismiss();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the <dialog> itself, outside .modal-body.
        if (e.target === e.currentTarget && dismissible) onDismiss();
      }}
    >
      <div className={styles.modalBody}>{children}</div>
    </dialog>
  );
}
