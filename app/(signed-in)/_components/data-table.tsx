"use client";

import { useState, type HTMLAttributes, type Key, type ReactNode } from "react";
import { ListStatus } from "./list-status";
import { ScrollRegion } from "./scroll-region";
import styles from "./data-table.module.css";

export type SortDirection = "asc" | "desc";

export interface Column<T> {
  /** The header cell; a column of buttons gets a name for screen readers only. */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Class of every body cell of the column (`cell-time`, `num`…); the header cell stays plain. */
  className?: string;
  /** Class of the header cell (`num` to right-align it over figures). */
  headerClassName?: string;
  /** `data-testid` of every body cell of the column. */
  testId?: string;
  /**
   * Makes the column sortable: its header becomes a button that sorts the rows by this value, and
   * a second press reverses them. Null (no figure) sorts last either way.
   */
  sortValue?: (row: T) => number | string | null;
  /** The direction of a column's first press; "desc" where the largest figures are the ones to see. */
  firstSort?: SortDirection;
}

/** Attributes of a row, including the `data-*` ones tests and scripts find rows by. */
export type RowAttributes = HTMLAttributes<HTMLTableRowElement> & {
  [attribute: `data-${string}`]: string | number | boolean | undefined;
};

interface Props<T> {
  /** null until the first answer. */
  rows: readonly T[] | null;
  columns: readonly Column<T>[];
  rowKey: (row: T) => Key;
  rowAttributes?: (row: T) => RowAttributes;
  /** The table's `data-testid`. */
  testId: string;
  /** The table's name, given to its box while it scrolls sideways (a keyboard can then focus it). */
  label?: string;
  /** Added to the `table` class. */
  className?: string;
  /** The order rows are shown in at first: a sortable column (by index) and a direction. */
  defaultSort?: { column: number; direction: SortDirection };
  /**
   * The loading line, fetch error and empty message above the table (see ListStatus). Lists that
   * page through results place those themselves and leave this out.
   */
  status?: {
    error: string | null;
    onRetry?: () => void;
    loading: string;
    empty: string;
    flush?: boolean;
  };
}

/**
 * A list of rows as a table that scrolls sideways on narrow screens; nothing while there are no rows.
 * Columns with a `sortValue` sort the rows when their header button is pressed (click, Enter or Space).
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  rowAttributes,
  testId,
  label = "Table",
  className,
  defaultSort,
  status,
}: Props<T>) {
  const [sort, setSort] = useState(defaultSort ?? null);
  const sortColumn = sort ? columns[sort.column] : undefined;
  const shown = rows && sort && sortColumn?.sortValue ? sortRows(rows, sortColumn.sortValue, sort.direction) : rows;

  function toggle(index: number) {
    const column = columns[index];
    setSort((prev) =>
      prev?.column === index
        ? { column: index, direction: prev.direction === "asc" ? "desc" : "asc" }
        : { column: index, direction: column?.firstSort ?? "asc" },
    );
  }

  return (
    <>
      {status ? (
        <ListStatus
          items={rows}
          error={status.error}
          onRetry={status.onRetry}
          loading={status.loading}
          empty={status.empty}
          flush={status.flush}
        />
      ) : null}
      {shown && shown.length > 0 ? (
        <ScrollRegion label={label}>
          <table className={className ? `table ${className}` : "table"} data-testid={testId}>
            <thead>
              <tr>
                {columns.map((c, i) => {
                  const sorted = sort?.column === i ? sort.direction : null;
                  return (
                    <th
                      key={i}
                      scope="col"
                      className={c.headerClassName}
                      aria-sort={sorted ? (sorted === "asc" ? "ascending" : "descending") : undefined}
                    >
                      {c.sortValue ? (
                        <button type="button" className={styles.sortButton} onClick={() => toggle(i)}>
                          {c.header}
                          <span
                            className={sorted ? styles.sortMark : `${styles.sortMark} ${styles.isIdle}`}
                            aria-hidden="true"
                          >
                            {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
                          </span>
                        </button>
                      ) : (
                        c.header
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={rowKey(row)} {...rowAttributes?.(row)}>
                  {columns.map((c, i) => (
                    <td key={i} className={c.className} data-testid={c.testId}>
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      ) : null}
    </>
  );
}

/** A sorted copy: numbers by value, text in the reader's collation, no value last in both directions. */
export function sortRows<T>(
  rows: readonly T[],
  value: (row: T) => number | string | null,
  direction: SortDirection,
): T[] {
  const sign = direction === "asc" ? 1 : -1;
  return rows
    .map((row) => ({ row, v: value(row) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? 0 : a.v === null ? 1 : -1;
      if (typeof a.v === "number" && typeof b.v === "number") return sign * (a.v - b.v);
      return sign * String(a.v).localeCompare(String(b.v));
    })
    .map((x) => x.row);
}

/** The header of a column of row actions: named for screen readers, blank on screen. */
export const actionsHeader = <span className="sr-only">Actions</span>;
