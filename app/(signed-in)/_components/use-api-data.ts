"use client";

import { useCallback, useEffect, useState } from "react";
import { apiFetchBody, errorMessage } from "./api-client";

/**
 * GET `url` on mount and on `refresh()`: the data (null until the first answer), and the error
 * message of the last failed fetch (cleared by the next good one; the old data stays on screen).
 */
export function useApiData<T>(url: string): { data: T | null; error: string | null; refresh: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setData(await apiFetchBody<T>(url));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [url]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { data, error, refresh };
}
