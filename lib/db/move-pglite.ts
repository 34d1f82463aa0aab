import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";

/**
 * Moves the data of an install from before the embedded PostgreSQL, kept by PGlite in
 * `<DATA_DIR>/pglite`, into a migrated PostgreSQL database: every row of every table of the app's
 * schema (`public`; pg-boss's queue is transient and `_prisma_migrations` belongs to the new
 * database's own migrations), parents before children, ids kept, sequences set past the largest id.
 * One transaction: rows are compared per table (count and a checksum of the values) before it
 * commits, and any difference rolls all of it back. The PGlite folder is kept, with a marker file,
 * so it moves once. Tables the database derives itself (each face's review state and the queue's
 * tally, kept by triggers) are not copied: the triggers rebuild them from the rows as they arrive.
 */

/** Kept by triggers from the other tables (see the consensus_queue migration); rebuilt, never copied. */
const DERIVED_TABLES = new Set(["FaceState", "QueueTally"]);

/** After the copy: a golden face from before golden labels were stored keeps its latest verdict's label. */
const AFTER_COPY = `UPDATE "Face" f SET "goldenLabel" = (
    SELECT verdict_label(r."verdict", r."correctedLabel", p."label")
    FROM "Review" r JOIN "Prediction" p ON p."id" = r."predictionId"
    WHERE r."faceId" = f."id" AND NOT r."control" ORDER BY r."updatedAt" DESC, r."id" DESC LIMIT 1)
  WHERE f."golden" AND f."goldenLabel" IS NULL`;

export const MOVED_MARKER = "MOVED-TO-POSTGRES";

export interface MoveReport {
  /** Rows per table, in the order they were copied. */
  tables: { table: string; rows: number }[];
  /** The database already held exactly these rows (a move whose marker was not written). */
  alreadyThere: boolean;
}

/** The PGlite folder of an earlier install in `dataDir`, when there is one that has not been moved. */
export function pendingPgliteDir(dataDir: string): string | null {
  const dir = path.join(dataDir, "pglite");
  if (!fs.existsSync(path.join(dir, "PG_VERSION"))) return null;
  return fs.existsSync(path.join(dir, MOVED_MARKER)) ? null : dir;
}

/**
 * Moves `pgliteDir` into the database at `url` unless its marker says it was moved; returns null
 * then. The marker is written only after the rows are committed and compared.
 */
export async function movePgliteDataOnce(opts: {
  pgliteDir: string;
  url: string;
  log: (line: string) => void;
}): Promise<MoveReport | null> {
  const marker = path.join(opts.pgliteDir, MOVED_MARKER);
  if (fs.existsSync(marker)) return null;
  if (!fs.existsSync(path.join(opts.pgliteDir, "PG_VERSION"))) {
    throw new Error(`${opts.pgliteDir} is not a PGlite data folder (it has no PG_VERSION).`);
  }
  opts.log(`Moving the data of the earlier embedded database (PGlite, ${opts.pgliteDir}) into PostgreSQL…`);
  const report = await movePgliteData(opts.pgliteDir, opts.url).catch((err: unknown) => {
    throw new Error(
      `The data of the earlier embedded database was not moved; it stays in ${opts.pgliteDir} and the new ` +
        `database has none of it. ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  const total = report.tables.reduce((n, t) => n + t.rows, 0);
  const summary = report.tables.map((t) => `${t.table} ${t.rows}`).join(", ");
  fs.writeFileSync(
    marker,
    `Moved to PostgreSQL on ${new Date().toISOString()}: ${summary}.\n` +
      `This folder is no longer used; delete it once you no longer need it.\n`,
  );
  opts.log(
    report.alreadyThere
      ? `The PGlite data was already in PostgreSQL (${total} rows); marked ${marker}.`
      : `Moved ${total} rows (${summary}). The old folder stays at ${opts.pgliteDir}, marked ${MOVED_MARKER}; delete it once you no longer need it.`,
  );
  return report;
}

/** Copies and compares; throws, with nothing written, when anything differs. */
export async function movePgliteData(pgliteDir: string, url: string): Promise<MoveReport> {
  const source = await PGlite.create(pgliteDir);
  const target = new pg.Client({ connectionString: url });
  await target.connect();
  try {
    const from: Sql = async (text, params = []) =>
      (await source.query<unknown[]>(text, params, { rowMode: "array" })).rows;
    const to: Sql = async (text, params = []) => (await target.query({ text, values: params, rowMode: "array" })).rows;
    // The same text for the same value on both sides, whatever either server's defaults.
    for (const q of [from, to]) for (const setting of SAME_TEXT_SETTINGS) await q(`SET ${setting}`);

    const [sourceTables, targetTables] = await Promise.all([describeTables(from), describeTables(to)]);
    for (const name of sourceTables.keys()) {
      if (targetTables.has(name)) continue;
      const n = await countRows(from, name);
      if (n > 0) throw new Error(`PGlite table "${name}" has ${n} rows and the new database has no such table.`);
    }
    const order = parentsFirst(
      [...targetTables.keys()].filter((t) => !DERIVED_TABLES.has(t)),
      await foreignKeys(to),
    );
    const plans = order.map((name) => planTable(name, targetTables.get(name)!, sourceTables.get(name)));

    const held = (await counts(to, plans)).filter((t) => t.rows > 0);
    if (held.length > 0) {
      // A move that committed but died before writing its marker left exactly these rows.
      const diff = await compare(from, to, plans);
      if (diff.length === 0) return { tables: await counts(to, plans), alreadyThere: true };
      throw new Error(
        `The new database already holds rows (${held.map((t) => `${t.table} ${t.rows}`).join(", ")}) that differ ` +
          `from the PGlite data in ${pgliteDir}, so nothing was moved. To keep the database as it is, create ` +
          `${path.join(pgliteDir, MOVED_MARKER)}; to move the PGlite data, start from an empty database.`,
      );
    }

    await to("BEGIN");
    try {
      for (const p of plans) {
        await copyTable(from, to, p).catch((err: unknown) => {
          throw new Error(`Copying table "${p.table}" failed: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
      for (const p of plans) await continueSequences(to, p);
      await to(AFTER_COPY);
      const diff = await compare(from, to, plans);
      if (diff.length > 0) {
        throw new Error(`Moving the PGlite data found differences, so nothing was moved: ${diff.join("; ")}.`);
      }
      const tables = await counts(to, plans);
      await to("COMMIT");
      return { tables, alreadyThere: false };
    } catch (err) {
      await to("ROLLBACK").catch(() => {});
      throw err;
    }
  } finally {
    await target.end();
    await source.close();
  }
}

type Sql = (text: string, params?: unknown[]) => Promise<unknown[][]>;

const SAME_TEXT_SETTINGS = [
  "datestyle = 'ISO, MDY'",
  "intervalstyle = 'postgres'",
  "timezone = 'UTC'",
  "extra_float_digits = 1",
  "bytea_output = 'hex'",
];

interface Column {
  name: string;
  /** As `format_type` spells it, for the cast from text: `"Role"`, `timestamp(3) without time zone`. */
  type: string;
  /** Filled from a sequence (serial ids). */
  serial: boolean;
}

interface Table {
  columns: Column[];
  primaryKey: string[];
}

/** The app's tables in `public` with their columns, in column order. */
async function describeTables(q: Sql): Promise<Map<string, Table>> {
  const rows = await q(`
    SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
           coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false),
           coalesce(a.attnum = ANY (i.indkey::int2[]), false)
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'
    ORDER BY c.relname, a.attnum`);
  const tables = new Map<string, Table>();
  for (const [table, name, type, serial, inKey] of rows as [string, string, string, boolean, boolean][]) {
    const t = tables.get(table) ?? { columns: [], primaryKey: [] };
    t.columns.push({ name, type, serial });
    if (inKey) t.primaryKey.push(name);
    tables.set(table, t);
  }
  return tables;
}

async function foreignKeys(q: Sql): Promise<[child: string, parent: string][]> {
  return (await q(`
    SELECT ch.relname, pa.relname
    FROM pg_constraint k
    JOIN pg_class ch ON ch.oid = k.conrelid
    JOIN pg_class pa ON pa.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = ch.relnamespace
    WHERE k.contype = 'f' AND n.nspname = 'public'`)) as [string, string][];
}

/**
 * Tables ordered so that every table comes after the tables its foreign keys point to. A table's
 * key to itself (a model version's parent) is left to row order: rows are copied by id, and a
 * parent is older than its child.
 */
export function parentsFirst(tables: string[], keys: [child: string, parent: string][]): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (placed.has(t)) return;
    if (visiting.has(t))
      throw new Error(`Foreign keys form a cycle through "${t}"; the tables cannot be copied in order.`);
    visiting.add(t);
    for (const [child, parent] of keys) if (child === t && parent !== t && tables.includes(parent)) visit(parent);
    visiting.delete(t);
    placed.add(t);
    ordered.push(t);
  };
  [...tables].sort().forEach(visit);
  return ordered;
}

interface TablePlan {
  table: string;
  /** Columns both sides have, in the new table's order; the others take their defaults. */
  columns: Column[];
  orderBy: string[];
  /** The PGlite database has the table (a table added by a later migration has no rows to move). */
  inSource: boolean;
}

function planTable(table: string, target: Table, source: Table | undefined): TablePlan {
  const there = new Set(source?.columns.map((c) => c.name));
  const columns = target.columns.filter((c) => there.has(c.name));
  const orderBy = target.primaryKey.length > 0 ? target.primaryKey : columns.map((c) => c.name);
  return { table, columns, orderBy, inSource: source !== undefined };
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function countRows(q: Sql, table: string): Promise<number> {
  return Number((await q(`SELECT count(*) FROM ${ident(table)}`))[0]?.[0]);
}

/** One query at a time: a pg client does not take a second while one runs. */
async function counts(q: Sql, plans: TablePlan[]) {
  const out: { table: string; rows: number }[] = [];
  for (const p of plans) out.push({ table: p.table, rows: await countRows(q, p.table) });
  return out;
}

/** Rows travel as text (each type's own input/output form), so no value passes through a JS type. */
async function copyTable(from: Sql, to: Sql, p: TablePlan): Promise<void> {
  if (!p.inSource || p.columns.length === 0) return;
  const rows = await from(
    `SELECT ${p.columns.map((c) => `${ident(c.name)}::text`).join(", ")} FROM ${ident(p.table)} ORDER BY ${p.orderBy.map(ident).join(", ")}`,
  );
  // PostgreSQL takes at most 65535 parameters per statement.
  const perInsert = Math.max(1, Math.floor(30_000 / p.columns.length));
  const names = p.columns.map((c) => ident(c.name)).join(", ");
  for (let start = 0; start < rows.length; start += perInsert) {
    const batch = rows.slice(start, start + perInsert);
    const values = batch.map(
      (_, r) => `(${p.columns.map((c, i) => `$${r * p.columns.length + i + 1}::${c.type}`).join(", ")})`,
    );
    await to(`INSERT INTO ${ident(p.table)} (${names}) VALUES ${values.join(", ")}`, batch.flat());
  }
}

/** The next id a sequence hands out is one past the largest copied id. */
async function continueSequences(to: Sql, p: TablePlan): Promise<void> {
  for (const c of p.columns.filter((col) => col.serial)) {
    await to(
      `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${ident(c.name)}) FROM ${ident(p.table)}), 0) + 1, false)`,
      [ident(p.table), c.name],
    );
  }
}

/**
 * Tables whose rows differ: count, and an md5 over every copied value in id order. A column whose
 * type a later migration changed would show here as a difference; such a change needs its own step.
 */
async function compare(from: Sql, to: Sql, plans: TablePlan[]): Promise<string[]> {
  const diffs: string[] = [];
  for (const p of plans) {
    if (!p.inSource || p.columns.length === 0) continue;
    const fingerprint = (q: Sql) =>
      q(
        `SELECT count(*)::int, md5(coalesce(string_agg(concat_ws(',', ${p.columns
          .map((c) => `quote_nullable(${ident(c.name)}::text)`)
          .join(", ")}), E'\\n' ORDER BY ${p.orderBy.map(ident).join(", ")}), ''))
         FROM ${ident(p.table)}`,
      );
    const [[a], [b]] = await Promise.all([fingerprint(from), fingerprint(to)]);
    if (a?.[0] !== b?.[0]) diffs.push(`${p.table}: ${a?.[0]} rows in PGlite, ${b?.[0]} copied`);
    else if (a?.[1] !== b?.[1]) diffs.push(`${p.table}: the values differ`);
  }
  return diffs;
}
