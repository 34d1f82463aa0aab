import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { actionsHeader, DataTable, sortRows, type Column } from "./data-table";

interface Row {
  id: number;
  name: string;
  off: boolean;
}

const columns: Column<Row>[] = [
  { header: "Name", cell: (r) => r.name, testId: "row-name" },
  { header: "Id", cell: (r) => r.id, className: "num" },
  { header: actionsHeader, cell: () => null, className: "cell-actions" },
];

function render(rows: Row[] | null, status?: Parameters<typeof DataTable<Row>>[0]["status"]) {
  return renderToStaticMarkup(
    createElement(DataTable<Row>, {
      rows,
      columns,
      rowKey: (r) => r.id,
      rowAttributes: (r) => ({ className: r.off ? "is-muted" : undefined, "data-testid": "row", "data-id": r.id }),
      testId: "things",
      className: "extra",
      status,
    }),
  );
}

describe("DataTable", () => {
  it("renders a header cell per column and a row per item, with the row's attributes and the cells' classes", () => {
    const html = render([
      { id: 1, name: "one", off: false },
      { id: 2, name: "two", off: true },
    ]);
    expect(html).toContain('<div class="table-wrap"><table class="table extra" data-testid="things">');
    expect(html).toContain(
      '<th scope="col">Name</th><th scope="col">Id</th><th scope="col"><span class="sr-only">Actions</span></th>',
    );
    expect(html).toContain(
      '<tr data-testid="row" data-id="1"><td data-testid="row-name">one</td><td class="num">1</td><td class="cell-actions"></td></tr>',
    );
    expect(html).toContain('<tr class="is-muted" data-testid="row" data-id="2">');
  });

  it.each([
    { rows: null, error: null, shows: "Loading things…" },
    { rows: [], error: null, shows: "No things yet." },
    { rows: null, error: "The server answered 500.", shows: "The server answered 500." },
  ])("shows the list status and no table: rows $rows, error $error", ({ rows, error, shows }) => {
    const html = render(rows, { error, loading: "Loading things…", empty: "No things yet." });
    expect(html).toContain(shows);
    expect(html).not.toContain("<table");
  });

  it("shows nothing but the table once there are rows", () => {
    const html = render([{ id: 1, name: "one", off: false }], {
      error: null,
      loading: "Loading things…",
      empty: "No things yet.",
    });
    expect(html.startsWith('<div class="table-wrap">')).toBe(true);
  });
});

describe("DataTable sorting", () => {
  const sortable: Column<Row>[] = [
    { header: "Name", cell: (r) => r.name, sortValue: (r) => r.name },
    { header: "Id", cell: (r) => r.id, className: "num", headerClassName: "num", sortValue: (r) => r.id },
    { header: "Plain", cell: () => null },
  ];
  const rows: Row[] = [
    { id: 2, name: "beta", off: false },
    { id: 10, name: "alpha", off: false },
    { id: 1, name: "gamma", off: false },
  ];
  const renderSorted = (defaultSort?: { column: number; direction: "asc" | "desc" }) =>
    renderToStaticMarkup(
      createElement(DataTable<Row>, {
        rows,
        columns: sortable,
        rowKey: (r) => r.id,
        rowAttributes: (r) => ({ "data-id": r.id }),
        testId: "things",
        defaultSort,
      }),
    );
  const order = (html: string) => [...html.matchAll(/data-id="(\d+)"/g)].map((m) => Number(m[1]));

  it("makes sortable headers buttons and marks the sorted column with aria-sort", () => {
    const html = renderSorted({ column: 1, direction: "desc" });
    expect(html).toContain('<th scope="col"><button type="button"');
    expect(html).toContain('<th scope="col" class="num" aria-sort="descending"><button type="button"');
    expect(html).toContain('<th scope="col">Plain</th>');
    expect(order(html)).toEqual([10, 2, 1]);
  });

  it("keeps the given order without a default sort, and sorts text by collation", () => {
    expect(order(renderSorted())).toEqual([2, 10, 1]);
    expect(order(renderSorted({ column: 0, direction: "asc" }))).toEqual([10, 2, 1]);
  });

  it("puts rows without a value last in both directions", () => {
    const values = [3, null, 1, 2];
    const asc = sortRows(values, (v) => v, "asc");
    const desc = sortRows(values, (v) => v, "desc");
    expect(asc).toEqual([1, 2, 3, null]);
    expect(desc).toEqual([3, 2, 1, null]);
  });
});
