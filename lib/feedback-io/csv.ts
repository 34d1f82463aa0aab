/**
 * A small RFC 4180 CSV reader and writer: quoted fields, `""` inside quotes, commas and line
 * breaks inside quotes, CRLF / LF / CR line ends, a UTF-8 byte-order mark. Written here rather
 * than taken as a dependency because the import and export need only this much.
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file the record starts on, for warnings a person can find. */
  line: number;
}

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CsvError";
  }
}

/**
 * Parses CSV text into records. Blank lines are dropped. A quote inside an unquoted field is kept
 * as a literal character (spreadsheets write such files); only an unterminated quoted field is an
 * error, since everything after it would be misread.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quotedRecord = false;
  let inQuotes = false;
  let quoteLine = 0;
  let line = 1;
  let recordLine = 1;

  const endRecord = () => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === "" && !quotedRecord;
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
    field = "";
    quotedRecord = false;
  };

  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
        field += c;
      }
    } else if (c === '"' && field === "") {
      inQuotes = true;
      quotedRecord = true;
      quoteLine = line;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\r" || c === "\n") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (inQuotes) throw new CsvError(`unterminated quoted field starting on line ${quoteLine}`);
  if (field !== "" || fields.length > 0 || quotedRecord) endRecord();
  return records;
}

export interface CsvTable<C extends string> {
  /** Data rows (the header excluded), each value looked up by column name. */
  rows: { line: number; values: Record<C, string>; fieldCount: number }[];
  /** Number of columns in the header. */
  columnCount: number;
}

/**
 * Parses CSV with a header row and picks out the `required` columns by name (trimmed,
 * case-insensitive, in any order; other columns are ignored). A short row gets "" for the
 * columns it lacks, and `fieldCount` tells the caller it was short.
 *
 * @throws CsvError when the text is empty, malformed, or lacks a required column.
 */
export function parseCsvTable<C extends string>(text: string, required: readonly C[]): CsvTable<C> {
  const [header, ...data] = parseCsv(text);
  if (!header) throw new CsvError(`the file is empty; expected a header row with ${required.join(", ")}`);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const index = new Map<C, number>();
  const missing: C[] = [];
  for (const column of required) {
    const at = names.indexOf(column.toLowerCase());
    if (at < 0) missing.push(column);
    else index.set(column, at);
  }
  if (missing.length > 0) {
    throw new CsvError(
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (the header has: ${names.join(", ") || "nothing"})`,
    );
  }
  return {
    columnCount: names.length,
    rows: data.map((r) => ({
      line: r.line,
      fieldCount: r.fields.length,
      values: Object.fromEntries(required.map((c) => [c, r.fields[index.get(c) ?? -1] ?? ""])) as Record<C, string>,
    })),
  };
}

/** One field, quoted when it holds a quote, comma or line break, or starts or ends with a space. */
export function csvField(value: string | number | null | undefined): string {
  const s = value == null ? "" : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with RFC 4180's CRLF line end. */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(",") + "\r\n";
}
