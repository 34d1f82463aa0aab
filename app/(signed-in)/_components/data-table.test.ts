import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { actionsHeader, DataTable, type Column } from "./data-table";

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
