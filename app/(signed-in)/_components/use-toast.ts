"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export interface ToastMessage {
  id: number;
  text: string;
  tone: "ok" | "error" | "info";
}

/** One transient message at a time; a new one replaces the old and restarts the timer. */
export function useToast(durationMs = 2400) {
  const [toast, setToast] = useState<ToastMessage | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    if (!toast) return;
    // Errors stay a little longer: they usually ask the reviewer to do something.
    const t = setTimeout(() => setToast(null), toast.tone === "error" ? durationMs * 2 : durationMs);
    return () => clearTimeout(t);
  }, [toast, durationMs]);

  const show = useCallback((text: string, tone: ToastMessage["tone"] = "ok") => {
    seq.current += 1;
    setToast({ id: seq.current, text, tone });
  }, []);

  return { toast, show };
}
