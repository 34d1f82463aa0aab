"use client";

import { useCallback, useEffect, useEffectEvent, useId, useMemo, useRef, useState } from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { ApiError, apiFetchBody, errorMessage } from "../_components/api-client";
import type { BulkResult, FaceListItem, FacePage, ModelVersionRow, UserRow } from "../_components/api-types";
import { plural } from "../_components/format";
import { isTextEntry } from "../_components/keyboard";
import { KeyLegend } from "../_components/key-legend";
import { ShortcutHelp } from "../_components/shortcut-help";
import { matchShortcut, type Shortcut, type ShortcutGroup } from "../_components/shortcuts";
import { Toast } from "../_components/toast";
import { useToast } from "../_components/use-toast";
import { BulkBar, BulkConfirm, bulkResultText, type BulkAction, type Selection } from "./bulk-actions";
import { apiFilters, countText, listQuery, readState, withChanges, type View } from "./dataset-query";
import { FaceDrawer, faceDrawerShortcuts } from "./face-drawer";
import { FaceList } from "./face-list";
import { FilterBar, sortText } from "./filter-bar";
import styles from "./dataset.module.css";
import { ExportMenu } from "./export-menu";

/** Faces per page: a whole number of rows at 2 to 6 tiles a row. */
const PAGE_SIZE = 60;
/** GET /api/faces's largest page: a reload after a bulk action asks for what was shown, up to this. */
const MAX_PAGE = 200;

const EMPTY: ReadonlySet<number> = new Set();

/** The keys the list answers to: its handler matches these, the legend and the `?` list show them. */
const listShortcuts = [
  { id: "filters", keys: ["/"], action: "Go to the filters" },
  { id: "view", keys: ["G"], action: "Grid or table" },
  { id: "move", keys: ["←", "→", "↑", "↓"], action: "Move between faces" },
  { id: "ends", keys: ["Home", "End"], action: "First or last face shown" },
  { id: "open", keys: ["Enter"], action: "Open the face" },
] as const satisfies readonly Shortcut[];

/** Admins only: choosing faces for a bulk action. */
const selectShortcuts = [
  { id: "select", keys: ["X"], action: "Select the face" },
  { id: "select-range", keys: ["Shift X"], action: "Select every face from the last one selected" },
] as const satisfies readonly Shortcut[];

function shortcutGroups(canBulk: boolean): ShortcutGroup[] {
  return [
    { title: "Faces", shortcuts: canBulk ? [...listShortcuts, ...selectShortcuts] : listShortcuts },
    { title: "In an open face", shortcuts: faceDrawerShortcuts },
  ];
}

interface SelectionState {
  /** The list the selection belongs to; another query starts with nothing selected. */
  key: string;
  ids: ReadonlySet<number>;
  /** Everything matching the filter, loaded or not. */
  all: boolean;
  /** The last face toggled: Shift extends from it. */
  anchor: number | null;
}

interface ListState {
  key: string;
  items: FaceListItem[];
  next: string | null;
  total: FacePage["total_estimate"];
}

/** How many tiles sit on the first row of the grid: ↑ and ↓ move by that many. */
function columnsOf(list: HTMLElement): number {
  const tiles = list.querySelectorAll<HTMLElement>("[data-face-id]");
  const top = tiles[0]?.offsetTop;
  let n = 0;
  for (const t of tiles) {
    if (t.offsetTop !== top) break;
    n++;
  }
  return Math.max(1, n);
}

/**
 * The dataset browser: every face with a prediction, filtered and sorted through the page address
 * (so a view can be shared, and comes back with the back button), as a grid of crops or a table,
 * with a drawer for one face and, for admins, bulk actions on a selection or on everything matching.
 */
export function DatasetBrowser({ admin, canBulk }: { admin: boolean; canBulk: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const urlSearch = searchParams.toString();
  // A change is shown at once, before the address (and the server's render of it) catches up.
  const [pendingSearch, setPendingSearch] = useState<string | null>(null);
  const [seenSearch, setSeenSearch] = useState(urlSearch);
  if (seenSearch !== urlSearch) {
    setSeenSearch(urlSearch);
    setPendingSearch(null);
  }
  const search = pendingSearch ?? urlSearch;
  const state = useMemo(() => readState(new URLSearchParams(search)), [search]);
  const query = listQuery(state, PAGE_SIZE);

  const { toast, show } = useToast(4000);
  const headingId = useId();
  const listRef = useRef<HTMLDivElement>(null);
  const firstFilterRef = useRef<HTMLSelectElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);

  const [list, setList] = useState<ListState | null>(null);
  const [error, setError] = useState<{ key: string; status: number; message: string } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<number | null>(null);
  const [sel, setSel] = useState<SelectionState>({ key: query, ids: EMPTY, all: false, anchor: null });
  const [pending, setPending] = useState<{ action: BulkAction; selection: Selection } | null>(null);
  /** Bumped by a bulk action: the drawer fetches its face again. */
  const [version, setVersion] = useState(0);
  const [models, setModels] = useState<ModelVersionRow[]>([]);
  const [users, setUsers] = useState<UserRow[]>([]);
  const seq = useRef(0);
  const loadingMoreRef = useRef(false);
  const refocusList = useRef(false);

  const current = list?.key === query ? list : null;
  const items = list?.items ?? null;
  const loading = current === null && (error?.key ?? null) !== query;
  const listError = error?.key === query ? error : null;
  const selection = sel.key === query ? sel : { key: query, ids: EMPTY, all: false, anchor: null };
  const active = items?.some((f) => f.id === activeId) ? activeId : (items?.[0]?.id ?? null);

  /** Puts `changes` in the address; the open face alone changes without asking the server. */
  const navigate = useCallback(
    (changes: Record<string, string | null>) => {
      const qs = withChanges(new URLSearchParams(window.location.search), changes);
      setPendingSearch(qs.replace(/^\?/, ""));
      const url = `${pathname}${qs}`;
      if (Object.keys(changes).every((k) => k === "face")) window.history.replaceState(null, "", url);
      else router.replace(url, { scroll: false });
    },
    [pathname, router],
  );

  const loadFirst = useCallback(async (q: string, limit = PAGE_SIZE) => {
    const mine = ++seq.current;
    const qs = new URLSearchParams(q);
    qs.set("limit", String(limit));
    try {
      const page = await apiFetchBody<FacePage>(`/api/faces?${qs}`);
      if (mine !== seq.current) return;
      setList({ key: q, items: page.items, next: page.next_cursor, total: page.total_estimate });
      setError(null);
      setMoreError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setError({ key: q, status: err instanceof ApiError ? err.status : 0, message: errorMessage(err) });
    }
  }, []);

  useEffect(() => {
    void loadFirst(query);
  }, [query, loadFirst]);

  const loadMore = useCallback(async (): Promise<FaceListItem[]> => {
    if (!current?.next || loadingMoreRef.current) return [];
    loadingMoreRef.current = true;
    setLoadingMore(true);
    setMoreError(null);
    const mine = seq.current;
    const qs = new URLSearchParams(query);
    qs.set("cursor", current.next);
    try {
      const page = await apiFetchBody<FacePage>(`/api/faces?${qs}`);
      if (mine !== seq.current) return [];
      setList((prev) =>
        prev && prev.key === query
          ? {
              ...prev,
              items: [...prev.items, ...page.items.filter((f) => !prev.items.some((p) => p.id === f.id))],
              next: page.next_cursor,
            }
          : prev,
      );
      return page.items;
    } catch (err) {
      setMoreError(errorMessage(err));
      return [];
    } finally {
      loadingMoreRef.current = false;
      setLoadingMore(false);
    }
  }, [current, query]);

  // Reference lists for the filter bar; the bar still works without them.
  useEffect(() => {
    apiFetchBody<{ models: ModelVersionRow[] }>("/api/models").then(
      (r) => setModels(r.models),
      () => {},
    );
    if (admin) {
      apiFetchBody<{ users: UserRow[] }>("/api/users").then(
        (r) => setUsers(r.users),
        () => {},
      );
    }
  }, [admin]);

  // The next page loads when the end of the list scrolls into view (the button does the same).
  const onSentinel = useEffectEvent(() => {
    if (current?.next && !loadingMoreRef.current && !moreError) void loadMore();
  });
  useEffect(() => {
    const el = sentinelRef.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onSentinel();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [current?.next]);

  // After `g`, the face that had focus in one view has it in the other.
  useEffect(() => {
    if (!refocusList.current) return;
    refocusList.current = false;
    if (active !== null) focusFace(active, false);
    // Only on a change of view.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.view]);

  function focusFace(id: number, checkbox: boolean) {
    const el =
      (checkbox ? listRef.current?.querySelector<HTMLElement>(`[data-tile-select="${id}"]`) : null) ??
      listRef.current?.querySelector<HTMLElement>(`[data-tile-open="${id}"]`);
    setActiveId(id);
    el?.focus();
  }

  function openFace(id: number) {
    setActiveId(id);
    navigate({ face: String(id) });
  }

  function setView(view: View) {
    navigate({ view });
  }

  function clearFilters() {
    // The filters go; the sort and the view stay.
    const params = new URLSearchParams(window.location.search);
    const drop = Object.fromEntries(
      [...params.keys()].filter((k) => k !== "view" && k !== "sort").map((k) => [k, null]),
    );
    const qs = withChanges(params, drop).replace(/^\?/, "");
    setPendingSearch(qs);
    router.replace(`${pathname}${qs ? `?${qs}` : ""}`, { scroll: false });
  }

  function toggle(id: number, range: boolean) {
    if (!items) return;
    setSel((prev) => {
      const cur = prev.key === query ? prev : { key: query, ids: EMPTY, all: false, anchor: null };
      // Unticking one face of "everything matching" leaves the loaded faces but that one.
      const ids = new Set(cur.all ? items.map((f) => f.id) : cur.ids);
      const on = !(cur.all || cur.ids.has(id));
      const from = cur.anchor === null ? -1 : items.findIndex((f) => f.id === cur.anchor);
      const to = items.findIndex((f) => f.id === id);
      if (range && from >= 0 && to >= 0) {
        for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
          const f = items[i]!;
          if (on) ids.add(f.id);
          else ids.delete(f.id);
        }
      } else if (on) {
        ids.add(id);
      } else {
        ids.delete(id);
      }
      return { key: query, ids, all: false, anchor: id };
    });
  }

  function selectPage(on: boolean) {
    setSel({ key: query, ids: on && items ? new Set(items.map((f) => f.id)) : EMPTY, all: false, anchor: null });
  }

  function askBulk(action: BulkAction) {
    if (selection.all) {
      const total = current?.total;
      setPending({
        action,
        selection: {
          target: { filter: apiFilters(state.filters) },
          what: Object.keys(state.filters).length
            ? `all ${total ? countText(total) : "faces"} matching the filter`
            : `every face in the dataset (${total ? countText(total) : "all of them"})`,
        },
      });
    } else {
      const ids = items?.filter((f) => selection.ids.has(f.id)).map((f) => f.id) ?? [];
      if (ids.length === 0) return;
      setPending({ action, selection: { target: { face_ids: ids }, what: plural(ids.length, "face") } });
    }
  }

  function bulkDone(result: BulkResult) {
    setPending(null);
    show(bulkResultText(result), result.changed === 0 ? "info" : "ok");
    setSel({ key: query, ids: EMPTY, all: false, anchor: null });
    setVersion((v) => v + 1);
    void loadFirst(query, Math.min(MAX_PAGE, Math.max(PAGE_SIZE, items?.length ?? 0)));
  }

  const onKeyDown = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    // The drawer and the confirmation take their own keys.
    if (state.face !== null || pending) return;
    const target = e.target;
    if (isTextEntry(target)) return;
    const shortcut = matchShortcut(canBulk ? [...listShortcuts, ...selectShortcuts] : listShortcuts, e);
    if (!shortcut) return;
    if (shortcut.id === "filters") {
      e.preventDefault();
      firstFilterRef.current?.focus();
      return;
    }
    const inList = target instanceof HTMLElement && listRef.current?.contains(target);
    if (shortcut.id === "view") {
      e.preventDefault();
      refocusList.current = Boolean(inList);
      setView(state.view === "grid" ? "table" : "grid");
      return;
    }
    if (!inList || !items?.length) return;
    const tile = target.closest<HTMLElement>("[data-face-id]");
    const id = Number(tile?.dataset.faceId);
    const index = items.findIndex((f) => f.id === id);
    if (index < 0) return;
    const onCheckbox = target.hasAttribute("data-tile-select");
    const cols = state.view === "grid" && listRef.current ? columnsOf(listRef.current) : 1;
    const moves: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      ArrowUp: -cols,
      ArrowDown: cols,
      Home: -index,
      End: items.length - 1 - index,
    };
    const move = moves[e.key];
    if ((shortcut.id === "move" || shortcut.id === "ends") && move !== undefined) {
      e.preventDefault();
      const next = items[Math.min(items.length - 1, Math.max(0, index + move))];
      if (next) focusFace(next.id, onCheckbox);
    } else if (shortcut.id === "open" && onCheckbox) {
      // Elsewhere on a tile Enter follows its link, which opens the face too.
      e.preventDefault();
      openFace(id);
    } else if (shortcut.id === "select" || shortcut.id === "select-range") {
      e.preventDefault();
      toggle(id, shortcut.id === "select-range");
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKeyDown(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const openIndex = items && state.face !== null ? items.findIndex((f) => f.id === state.face) : -1;
  const total = current?.total ?? null;
  const moreThanPage = Boolean(current?.next) || (total !== null && items !== null && total.count > items.length);

  return (
    <>
      <div className={`page-head ${styles.head}`}>
        <div>
          <h1 id={headingId}>Dataset</h1>
          <p className="muted">
            Every face the model has predicted.{" "}
            {admin
              ? "Open one for its verdicts, consensus and audit trail; select faces to act on many at once."
              : "Open one for its predictions and your verdicts."}
          </p>
        </div>
        {admin ? (
          <div className={styles.headActions}>
            <Link href="/golden" className="btn btn-ghost btn-small">
              Golden set overview
            </Link>
            <ExportMenu filters={apiFilters(state.filters)} />
          </div>
        ) : null}
      </div>

      <FilterBar
        filters={state.filters}
        admin={admin}
        models={models}
        users={users}
        onChange={(changes) => navigate(changes)}
        onClear={clearFilters}
        firstRef={firstFilterRef}
      />

      <div className={styles.toolbar}>
        <p className={styles.count} aria-live="polite" data-testid="face-count">
          {listError
            ? "No faces shown"
            : total
              ? `${countText(total)}${items && current?.next ? ` · ${items.length} shown` : ""}`
              : "Counting…"}
        </p>
        <div className={styles.sortField}>
          <label htmlFor={`${headingId}-sort`}>Sort</label>
          <select
            id={`${headingId}-sort`}
            value={state.sort}
            onChange={(e) => navigate({ sort: e.currentTarget.value })}
            data-filter="sort"
          >
            {Object.entries(sortText).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="segmented">
          <legend className="sr-only">View</legend>
          <span className="segmented-label" aria-hidden="true">
            View
          </span>
          {(["grid", "table"] as const).map((v) => (
            <label key={v} className="segmented-option">
              <input
                type="radio"
                name="dataset-view"
                value={v}
                checked={state.view === v}
                onChange={() => setView(v)}
                aria-keyshortcuts="g"
              />
              <span>{v === "grid" ? "Grid" : "Table"}</span>
            </label>
          ))}
        </fieldset>
        <details className={styles.keys}>
          <summary>Keyboard shortcuts</summary>
          <div className={styles.keysPanel}>
            <KeyLegend
              keys={canBulk ? [...listShortcuts, ...selectShortcuts] : listShortcuts}
              note="In an open face: ← and → for the previous and next face."
            />
          </div>
        </details>
        <ShortcutHelp groups={shortcutGroups(canBulk)} />
      </div>

      {canBulk && !listError ? (
        <BulkBar
          pageCount={items?.length ?? 0}
          selectedCount={selection.all ? (items?.length ?? 0) : selection.ids.size}
          allMatching={selection.all}
          totalText={total ? countText(total) : null}
          moreThanPage={moreThanPage}
          onSelectPage={selectPage}
          onSelectAllMatching={() => setSel({ key: query, ids: EMPTY, all: true, anchor: null })}
          onClear={() => setSel({ key: query, ids: EMPTY, all: false, anchor: null })}
          onAction={askBulk}
        />
      ) : null}

      {listError ? (
        <div className={`notice notice-error ${styles.listError}`} role="alert" data-testid="list-error">
          <h2>
            {listError.status === 403
              ? "These filters are for admins"
              : listError.status === 400
                ? "These filters cannot be used"
                : "The faces could not be loaded"}
          </h2>
          <p>{listError.message}</p>
          <div className="form-actions">
            {listError.status === 400 || listError.status === 403 ? (
              <button type="button" className="btn btn-primary" onClick={clearFilters}>
                Clear filters
              </button>
            ) : (
              <button type="button" className="btn" onClick={() => void loadFirst(query)}>
                Try again
              </button>
            )}
          </div>
        </div>
      ) : null}

      {!listError && items === null ? (
        <p className="muted status-line">
          <span className="spinner" aria-hidden="true" /> Loading faces…
        </p>
      ) : null}
      {!listError && current && current.items.length === 0 ? (
        <div className={`card ${styles.empty}`} data-testid="list-empty">
          <p>No faces match these filters.</p>
          {Object.keys(state.filters).length ? (
            <button type="button" className="btn" onClick={clearFilters}>
              Clear filters
            </button>
          ) : null}
        </div>
      ) : null}

      {!listError && items && items.length > 0 ? (
        <div className={loading ? styles.isStale : undefined} aria-busy={loading || undefined}>
          <FaceList
            items={items}
            view={state.view}
            admin={admin}
            selectable={canBulk}
            isSelected={(id) => selection.all || selection.ids.has(id)}
            activeId={active}
            onActivate={setActiveId}
            onOpen={openFace}
            onToggle={toggle}
            listRef={listRef}
          />
        </div>
      ) : null}

      {!listError && current?.next ? (
        <div className="load-more">
          {moreError ? (
            <p className="form-error" role="alert">
              {moreError}
            </p>
          ) : null}
          <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? "Loading…" : `Load more`}
          </button>
        </div>
      ) : null}
      <div ref={sentinelRef} aria-hidden="true" />

      {state.face !== null ? (
        <FaceDrawer
          faceId={state.face}
          admin={admin}
          version={version}
          position={
            openIndex >= 0 && items ? { index: openIndex, count: items.length, more: Boolean(current?.next) } : null
          }
          onPrevious={openIndex > 0 && items ? () => openFace(items[openIndex - 1]!.id) : null}
          onNext={
            openIndex >= 0 && items && openIndex < items.length - 1
              ? () => openFace(items[openIndex + 1]!.id)
              : openIndex >= 0 && current?.next
                ? () =>
                    void loadMore().then((more) => {
                      if (more[0]) openFace(more[0].id);
                    })
                : null
          }
          onClose={() => navigate({ face: null })}
          returnFocus={() => listRef.current?.querySelector<HTMLElement>(`[data-tile-open="${state.face}"]`) ?? null}
        />
      ) : null}

      {pending ? (
        <BulkConfirm
          action={pending.action}
          selection={pending.selection}
          onDone={bulkDone}
          onCancel={() => setPending(null)}
        />
      ) : null}

      <Toast toast={toast} />
    </>
  );
}
