"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { QueueOrder, ReviewInput } from "@/lib/review/schemas";
import { ApiError, apiFetch, apiFetchBody, errorMessage } from "../_components/api-client";
import type { FaceDetail, HistoryPage, QueueItem, StoredReview } from "../_components/api-types";
import { describeVerdict, saveReview, undoReview } from "../_components/reviews-api";

/** The server accepts at most 200 excluded ids; the oldest skips are the first to be forgotten. */
const MAX_EXCLUDE = 200;
const MAX_UNDO = 50;
/** After a reload, the reviewer's last verdict stays undoable for this long after it was given. */
export const RESTORED_UNDO_MS = 10 * 60_000;

interface Answered {
  /** The face as it was shown; null for a verdict given before the page was (re)loaded. */
  item: QueueItem | null;
  predictionId: number;
  faceId: number;
  /** Resolves to the stored review, or null when saving failed (the item is then back on screen). */
  saved: Promise<StoredReview | null>;
}

export type QueueStatus = "loading" | "ready" | "empty" | "error";

type Notify = (text: string, tone?: "ok" | "error" | "info") => void;

/**
 * The reviewer's local window on the queue: the item on screen plus one claimed in advance, so an
 * answer shows the next face at once while the verdict is saved in the background.
 *
 * `items` is kept in a ref as well as in state because key presses can come faster than renders:
 * every action reads and writes the ref, and the state copy only drives rendering.
 */
export function useReviewQueue(order: QueueOrder | null, notify: Notify, reviewerId: number) {
  const [items, setItems] = useState<QueueItem[]>([]);
  const itemsRef = useRef<QueueItem[]>([]);
  const [exhausted, setExhausted] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [fetching, setFetching] = useState(false);
  const [remaining, setRemaining] = useState<number | null>(null);
  const [undoCount, setUndoCount] = useState(0);

  const inFlight = useRef(false);
  const mounted = useRef(false);
  const orderRef = useRef(order);
  /** Skipped this session: not offered again until the reviewer asks to check again. */
  const skipped = useRef<number[]>([]);
  /** Being saved or undone right now: the server may still count them as claimed by us. */
  const pending = useRef(new Set<number>());
  const undoStack = useRef<Answered[]>([]);

  const update = useCallback((fn: (prev: QueueItem[]) => QueueItem[]) => {
    itemsRef.current = fn(itemsRef.current);
    setItems(itemsRef.current);
  }, []);

  const fetchNext = useCallback(
    async (forOrder: QueueOrder) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setFetching(true);
      const exclude = [...itemsRef.current.map((i) => i.prediction_id), ...pending.current, ...skipped.current].slice(
        0,
        MAX_EXCLUDE,
      );
      const qs = new URLSearchParams({ order: forOrder });
      if (exclude.length) qs.set("exclude", exclude.join(","));
      try {
        const item = await apiFetch<QueueItem>(`/api/review/next?${qs}`);
        if (!item) {
          setExhausted(true);
          return;
        }
        // Claimed after the page went away or the order changed: hand it straight back.
        if (!mounted.current || orderRef.current !== forOrder) {
          release(item.prediction_id);
          return;
        }
        preloadImages(item);
        // Verdicts still on their way were counted as waiting by the server.
        setRemaining(Math.max(0, item.queue.remaining - pending.current.size));
        update((prev) => (prev.some((p) => p.prediction_id === item.prediction_id) ? prev : [...prev, item]));
      } catch (err) {
        setLoadError(errorMessage(err));
      } finally {
        inFlight.current = false;
        setFetching(false);
      }
    },
    [update],
  );

  // Keep one item in hand beyond the one on screen.
  useEffect(() => {
    if (order === null || exhausted || loadError || fetching || items.length >= 2) return;
    void fetchNext(order);
  }, [order, exhausted, loadError, fetching, items.length, fetchNext]);

  // A new order: the face on screen stays, what was claimed for the old order is given back.
  useEffect(() => {
    const previous = orderRef.current;
    orderRef.current = order;
    if (previous === null || order === null || previous === order) return;
    const [head, ...rest] = itemsRef.current;
    for (const r of rest) release(r.prediction_id);
    update(() => (head ? [head] : []));
    setExhausted(false);
  }, [order, update]);

  // Give claims back when the reviewer leaves, so colleagues don't wait for the lease to run out.
  useEffect(() => {
    mounted.current = true;
    const releaseAll = () => {
      for (const i of itemsRef.current) release(i.prediction_id);
    };
    window.addEventListener("pagehide", releaseAll);
    return () => {
      mounted.current = false;
      window.removeEventListener("pagehide", releaseAll);
      releaseAll();
      // Released claims are no longer ours to show, should this component be shown again.
      update(() => []);
    };
  }, [update]);

  // A reload (or a second tab) must not lose Undo: the reviewer's newest verdict, when it is recent,
  // goes to the bottom of the undo stack, below anything answered since the page opened.
  useEffect(() => {
    let cancelled = false;
    const qs = new URLSearchParams({ reviewer: String(reviewerId), limit: "1" });
    apiFetchBody<HistoryPage>(`/api/reviews?${qs}`).then(
      (page) => {
        const last = page.reviews[0];
        if (cancelled || !last || Date.now() - Date.parse(last.created_at) > RESTORED_UNDO_MS) return;
        if (undoStack.current.some((e) => e.faceId === last.face_id)) return;
        const review: StoredReview = {
          id: last.id,
          prediction_id: last.prediction_id,
          face_id: last.face_id,
          verdict: last.verdict,
          corrected_label: last.corrected_label,
          note: last.note,
          created_at: last.created_at,
        };
        const restored: Answered = {
          item: null,
          predictionId: last.prediction_id,
          faceId: last.face_id,
          saved: Promise.resolve(review),
        };
        undoStack.current = [restored, ...undoStack.current].slice(-MAX_UNDO);
        setUndoCount(undoStack.current.length);
      },
      // Undo from an earlier visit is a convenience; the queue works without it.
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [reviewerId]);

  const answer = useCallback(
    (input: ReviewInput) => {
      const item = itemsRef.current.find((i) => i.prediction_id === input.prediction_id);
      if (!item) return;
      const id = item.prediction_id;
      pending.current.add(id);
      update((prev) => prev.filter((p) => p.prediction_id !== id));
      setRemaining((r) => (r === null ? r : Math.max(0, r - 1)));

      const saved = saveReview(input).then(
        (review) => {
          notify(`Saved: ${describeVerdict(review)}`);
          return review;
        },
        (err: unknown) => {
          notify(`Not saved: ${errorMessage(err)}`, "error");
          // Put it back on screen to try again, unless the face is gone altogether.
          if (!(err instanceof ApiError && err.status === 404)) {
            update((prev) => [item, ...prev.filter((p) => p.prediction_id !== id)]);
            setRemaining((r) => (r === null ? r : r + 1));
          }
          return null;
        },
      );
      void saved.finally(() => pending.current.delete(id));
      undoStack.current = [
        ...undoStack.current.slice(-(MAX_UNDO - 1)),
        { item, predictionId: id, faceId: item.face.id, saved },
      ];
      setUndoCount(undoStack.current.length);
    },
    [notify, update],
  );

  const skip = useCallback(() => {
    const item = itemsRef.current[0];
    if (!item) return;
    const id = item.prediction_id;
    skipped.current = [id, ...skipped.current.filter((s) => s !== id)];
    update((prev) => prev.slice(1));
    release(id);
    notify("Skipped", "info");
  }, [notify, update]);

  const undo = useCallback(async () => {
    // A verdict that failed to save has nothing to undo (its face is already back): pass over it.
    let entry: Answered | undefined;
    let review: StoredReview | null = null;
    while (!review && (entry = undoStack.current.pop())) review = await entry.saved;
    setUndoCount(undoStack.current.length);
    if (!entry || !review) {
      notify("Nothing to undo", "info");
      return;
    }
    const undone = entry;
    const id = undone.predictionId;
    pending.current.add(id);
    try {
      await undoReview(review.id);
      // The server gave the face back to us with a fresh lease: it becomes the current item again.
      // A verdict from before the reload has no item in memory; the face's detail rebuilds it.
      const item = undone.item ?? (await itemFromFace(undone.faceId, id));
      if (item) {
        update((prev) => [item, ...prev.filter((p) => p.prediction_id !== id)]);
        setRemaining((r) => (r === null ? r : r + 1));
        notify("Undone");
      } else {
        notify("Undone; the face is back in the queue", "info");
      }
    } catch (err) {
      // Still undoable: pressing U again retries it.
      undoStack.current.push(undone);
      setUndoCount(undoStack.current.length);
      notify(`Could not undo: ${errorMessage(err)}`, "error");
    } finally {
      pending.current.delete(id);
    }
  }, [notify, update]);

  /** After "Queue is empty" or an error: look again, offering skipped faces too. */
  const recheck = useCallback(() => {
    skipped.current = [];
    setLoadError(null);
    setExhausted(false);
  }, []);

  const current = items[0] ?? null;
  const status: QueueStatus = current ? "ready" : loadError ? "error" : exhausted ? "empty" : "loading";

  return { current, status, loadError, remaining, canUndo: undoCount > 0, answer, skip, undo, recheck };
}

/**
 * The queue item for a face given back by Undo, from GET /api/faces/:id: the prediction the verdict
 * was on, as the queue would have served it. Null when the face cannot be read any more.
 */
async function itemFromFace(faceId: number, predictionId: number): Promise<QueueItem | null> {
  let face: FaceDetail;
  try {
    face = await apiFetchBody<FaceDetail>(`/api/faces/${faceId}`);
  } catch {
    return null;
  }
  const p = face.predictions.find((x) => x.id === predictionId) ?? face.predictions[0];
  if (!p) return null;
  return {
    prediction_id: p.id,
    lease_expires_at: null,
    face: { id: face.id, crop_url: face.crop_url, box: face.box, upload: face.upload },
    prediction: {
      label: p.label,
      confidence: p.confidence,
      margin: p.margin,
      probabilities: p.probabilities,
      // The probabilities are keyed in the model's label order.
      labels: Object.keys(p.probabilities),
      model_version: p.model_version,
    },
    queue: { remaining: 0, verdicts_needed: 0 },
  };
}

/** Fire-and-forget: a lost release only means the lease runs out on its own. */
function release(predictionId: number) {
  void fetch("/api/review/release", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prediction_id: predictionId }),
    credentials: "same-origin",
    // Lets the request outlive the page on `pagehide`.
    keepalive: true,
  }).catch(() => undefined);
}

/** Fetch and decode the next face's images now, so they paint the moment it is shown. */
function preloadImages(item: QueueItem) {
  for (const src of [item.face.crop_url, item.face.upload.image_url]) {
    const img = new Image();
    img.src = src;
    void img.decode().catch(() => undefined);
  }
}
