import { describe, expect, it } from "vitest";
import { csvField, csvLine, parseCsv, parseCsvTable } from "@/lib/feedback-io/csv";

const fieldsOf = (text: string) => parseCsv(text).map((r) => r.fields);

describe("parseCsv", () => {
  it.each([
    [
      "plain fields",
      "a,b,c\n1,2,3\n",
      [
        ["a", "b", "c"],
        ["1", "2", "3"],
      ],
    ],
    [
      "CRLF line ends",
      "a,b\r\n1,2\r\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "old Mac CR line ends",
      "a,b\r1,2\r",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "no final line break",
      "a,b\n1,2",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    ["a comma inside quotes", 'a,"b,c",d\n', [["a", "b,c", "d"]]],
    ["an escaped quote", '"say ""hi""",x\n', [['say "hi"', "x"]]],
    [
      "a line break inside quotes",
      '"two\nlines",x\r\n"crlf\r\ninside",y\n',
      [
        ["two\nlines", "x"],
        ["crlf\r\ninside", "y"],
      ],
    ],
    ["empty fields", ",,\n", [["", "", ""]]],
    ["a quoted empty field as a record", '""\n', [[""]]],
    ["blank lines", "a\n\n\r\nb\n", [["a"], ["b"]]],
    ["a byte-order mark", "\ufeffa,b\n", [["a", "b"]]],
    ["a literal quote inside an unquoted field", 'ab"c,d\n', [['ab"c', "d"]]],
    ["nothing", "", []],
  ])("reads %s", (_what, text, expected) => {
    expect(fieldsOf(text)).toEqual(expected);
  });

  it("numbers records by the line they start on, counting line breaks inside quotes", () => {
    const records = parseCsv('h1,h2\r\n"multi\r\nline",1\r\n\r\nlast,2\r\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it("refuses an unterminated quoted field and names its line", () => {
    expect(() => parseCsv('a,b\n1,"never closed\n2,3\n')).toThrow(/unterminated quoted field starting on line 2/);
  });
});

describe("parseCsvTable", () => {
  const required = ["timestamp", "label"] as const;

  it("finds the columns by name in any order and case, ignoring extra ones", () => {
    const table = parseCsvTable(" Label ,extra,TIMESTAMP\nhappy,x,2024-01-01\n", required);
    expect(table.rows).toEqual([{ line: 2, fieldCount: 3, values: { timestamp: "2024-01-01", label: "happy" } }]);
    expect(table.columnCount).toBe(3);
  });

  it("gives a short row empty values and reports how many fields it had", () => {
    const table = parseCsvTable("timestamp,label\n2024-01-01\n", required);
    expect(table.rows[0]).toMatchObject({ fieldCount: 1, values: { timestamp: "2024-01-01", label: "" } });
  });

  it.each([
    ["an empty file", "", /empty/],
    ["a missing column", "timestamp,other\n1,2\n", /missing column label/],
    ["two missing columns", "x\n", /missing columns timestamp, label/],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseCsvTable(text, required)).toThrow(message);
  });
});

describe("csvField / csvLine", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    [" padded", '" padded"'],
    ["", ""],
    [null, ""],
    [0.125, "0.125"],
  ])("writes %j as %j", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it("round-trips awkward values through parseCsv", () => {
    const values = ['quote " and, comma', "line\r\nbreak", " space ", "", "plain"];
    expect(fieldsOf(csvLine(values) + csvLine(["x"]))).toEqual([values, ["x"]]);
  });
});
