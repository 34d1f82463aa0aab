"use client";

import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from "react";
import { apiFetchBody, errorMessage } from "./api-client";

/**
 * GET `url` on mount and on `refresh()`: the data (null until the first answer), and the error
 * message of the last failed fetch (cleared by the next good one; the old data stays on screen).
 * `setData` applies a change the page already knows of (a row it created or edited) without a refetch.
 */
export function useApiData<T>(url: string): {
  data: T | null;
  error: string | null;
  refresh: () => Promise<void>;
  setData: Dispatch<SetStateAction<T | null>>;
} {
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
  return { data, error, refresh, setData };
}
