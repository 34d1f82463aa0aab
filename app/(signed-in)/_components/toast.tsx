import type { ToastMessage } from "./use-toast";
import styles from "./toast.module.css";

const toneClass = { ok: styles.toastOk, error: styles.toastError, info: "" };

/** The one transient message of a keyboard-driven page, announced politely, at the bottom centre. */
export function Toast({ toast }: { toast: ToastMessage | null }) {
  return (
    <div className={styles.toastRegion} role="status" aria-live="polite" data-testid="toast">
      {toast ? (
        <div key={toast.id} className={`${styles.toast} ${toneClass[toast.tone]}`} data-testid={`toast-${toast.tone}`}>
          {toast.text}
        </div>
      ) : null}
    </div>
  );
}
