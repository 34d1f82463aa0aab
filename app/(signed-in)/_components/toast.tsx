import type { ToastMessage } from "./use-toast";
import styles from "./toast.module.css";

const toneClass = { ok: styles.toastOk, error: styles.toastError, info: "" };

/**
 * The one transient message of a keyboard-driven page, announced politely. "page": at the bottom
 * centre of the window. "column": at the end of the column it is placed in, kept in view while that
 * column is (sticky), in a slot kept free for it, so it never covers what lies beside or below the
 * column (the key legend) and showing it moves nothing.
 */
export function Toast({ toast, placement = "page" }: { toast: ToastMessage | null; placement?: "page" | "column" }) {
  return (
    <div
      className={placement === "column" ? styles.toastSlot : styles.toastRegion}
      role="status"
      aria-live="polite"
      data-testid="toast"
    >
      {toast ? (
        <div key={toast.id} className={`${styles.toast} ${toneClass[toast.tone]}`} data-testid={`toast-${toast.tone}`}>
          {toast.text}
        </div>
      ) : null}
    </div>
  );
}
