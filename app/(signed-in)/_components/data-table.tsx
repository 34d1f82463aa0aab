import type { HTMLAttributes, Key, ReactNode } from "react";
import { ListStatus } from "./list-status";

export interface Column<T> {
  /** The header cell; a column of buttons gets a name for screen readers only. */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Class of every body cell of the column (`cell-time`, `num`…); the header cell stays plain. */
  className?: string;
  /** `data-testid` of every body cell of the column. */
  testId?: string;
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
  /** Added to the `table` class. */
  className?: string;
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

/** A list of rows as a table that scrolls sideways on narrow screens; nothing while there are no rows. */
export function DataTable<T>({ rows, columns, rowKey, rowAttributes, testId, className, status }: Props<T>) {
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
      {rows && rows.length > 0 ? (
        <div className="table-wrap">
          <table className={className ? `table ${className}` : "table"} data-testid={testId}>
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col">
                    {c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
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
        </div>
      ) : null}
    </>
  );
}

/** The header of a column of row actions: named for screen readers, blank on screen. */
export const actionsHeader = <span className="sr-only">Actions</span>;
