import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type pg from "pg";

/**
 * Compares a live database with `prisma/schema.prisma`: tables, columns (type, nullability,
 * default present), enums, primary keys, unique and plain indexes, and foreign keys with their
 * ON DELETE action. Returns one line per difference; an empty list means no drift.
 * The expected side comes from Prisma's own schema parser (the DMMF), so a migration that does not
 * match the schema is caught without Prisma's schema-engine binary.
 */
export async function findSchemaDrift(
  client: pg.ClientBase | pg.Pool,
  schemaPath = path.resolve(process.cwd(), "prisma/schema.prisma"),
): Promise<string[]> {
  const expected = expectedFromSchema(fs.readFileSync(schemaPath, "utf8"));
  const actual = await introspect(client);
  return [
    ...diffSets("table", expected.tables, actual.tables),
    ...diffSets("column", expected.columns, actual.columns),
    ...diffSets("enum", expected.enums, actual.enums),
    ...diffSets("index", expected.indexes, actual.indexes),
    ...diffSets("foreign key", expected.foreignKeys, actual.foreignKeys),
  ];
}

interface Shape {
  tables: Set<string>;
  columns: Set<string>;
  enums: Set<string>;
  indexes: Set<string>;
  foreignKeys: Set<string>;
}

function diffSets(kind: string, expected: Set<string>, actual: Set<string>): string[] {
  const out: string[] = [];
  for (const e of expected) if (!actual.has(e)) out.push(`missing ${kind}: ${e}`);
  for (const a of actual) if (!expected.has(a)) out.push(`unexpected ${kind}: ${a}`);
  return out.sort();
}

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
    indexes: DmmfIndex[];
  };
}

const scalarUdt: Record<string, string> = {
  Int: "int4",
  BigInt: "int8",
  String: "text",
  Boolean: "bool",
  Float: "float8",
  Decimal: "numeric",
  DateTime: "timestamp",
  Json: "jsonb",
  Bytes: "bytea",
};

const onDeleteCode: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

function loadDmmf(schema: string): Dmmf {
  // The schema parser ships as WASM; loaded lazily because only this check needs it.
  const require = createRequire(import.meta.url);
  const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] }))) as Dmmf;
}

export function expectedFromSchema(schema: string): Shape {
  const dmmf = loadDmmf(schema);
  const shape: Shape = {
    tables: new Set(),
    columns: new Set(),
    enums: new Set(),
    indexes: new Set(),
    foreignKeys: new Set(),
  };
  const enumDbName = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  for (const e of dmmf.datamodel.enums) {
    shape.enums.add(`${e.dbName ?? e.name}(${e.values.map((v) => v.dbName ?? v.name).join(",")})`);
  }
  const tableOf = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: DmmfModel, field: string) => {
    const f = model.fields.find((x) => x.name === field);
    return f?.dbName ?? field;
  };
  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name;
    shape.tables.add(table);
    for (const f of model.fields) {
      if (f.kind === "object") {
        if (f.relationFromFields && f.relationFromFields.length > 0) {
          const target = dmmf.datamodel.models.find((m) => m.name === f.type);
          const onDelete = f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull");
          shape.foreignKeys.add(
            `${table}(${f.relationFromFields.map((c) => columnOf(model, c)).join(",")}) -> ` +
              `${tableOf.get(f.type)}(${(f.relationToFields ?? []).map((c) => (target ? columnOf(target, c) : c)).join(",")}) ` +
              `on delete ${onDeleteCode[onDelete] ?? onDelete}`,
          );
        }
        continue;
      }
      const base = f.kind === "enum" ? (enumDbName.get(f.type) ?? f.type) : scalarUdt[f.type];
      if (!base) throw new Error(`drift check: no Postgres type known for ${model.name}.${f.name} (${f.type})`);
      const udt = f.isList ? `_${base}` : base;
      // Prisma creates list columns without NOT NULL.
      const nullable = f.isList || !f.isRequired;
      shape.columns.add(
        `${table}.${f.dbName ?? f.name} ${udt} ${nullable ? "null" : "not null"}${f.hasDefaultValue ? " default" : ""}`,
      );
    }
  }
  for (const idx of dmmf.datamodel.indexes) {
    const model = dmmf.datamodel.models.find((m) => m.name === idx.model);
    if (!model) continue;
    const kind = idx.type === "id" ? "primary" : idx.type === "unique" ? "unique" : "index";
    shape.indexes.add(
      `${model.dbName ?? model.name}(${idx.fields.map((f) => columnOf(model, f.name)).join(",")}) ${kind}`,
    );
  }
  return shape;
}

async function introspect(client: pg.ClientBase | pg.Pool): Promise<Shape> {
  const shape: Shape = {
    tables: new Set(),
    columns: new Set(),
    enums: new Set(),
    indexes: new Set(),
    foreignKeys: new Set(),
  };
  const ignored = new Set(["_prisma_migrations"]);
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  for (const t of tables.rows) if (!ignored.has(t.table_name)) shape.tables.add(t.table_name);

  const columns = await client.query<{
    table_name: string;
    column_name: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, udt_name, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  for (const c of columns.rows) {
    if (ignored.has(c.table_name) || !shape.tables.has(c.table_name)) continue;
    shape.columns.add(
      `${c.table_name}.${c.column_name} ${c.udt_name} ${c.is_nullable === "YES" ? "null" : "not null"}${c.column_default !== null ? " default" : ""}`,
    );
  }

  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
     JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  for (const e of enums.rows) shape.enums.add(`${e.name}(${e.labels.join(",")})`);

  const indexes = await client.query<{
    table_name: string;
    columns: string[];
    is_unique: boolean;
    is_primary: boolean;
  }>(
    `SELECT tc.relname AS table_name,
            array(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                  ORDER BY k.ord)::text[] AS columns,
            i.indisunique AS is_unique, i.indisprimary AS is_primary
     FROM pg_index i
     JOIN pg_class tc ON tc.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = tc.relnamespace
     WHERE n.nspname = 'public' AND i.indpred IS NULL`,
  );
  // Partial indexes (the queue's, on open faces) cannot be written in schema.prisma; they live in the
  // migrations alone and are left out of the comparison.
  for (const i of indexes.rows) {
    if (ignored.has(i.table_name)) continue;
    const kind = i.is_primary ? "primary" : i.is_unique ? "unique" : "index";
    shape.indexes.add(`${i.table_name}(${i.columns.join(",")}) ${kind}`);
  }

  const fks = await client.query<{
    table_name: string;
    columns: string[];
    ref_table: string;
    ref_columns: string[];
    on_delete: string;
  }>(
    `SELECT tc.relname AS table_name,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                  ORDER BY k.ord)::text[] AS columns,
            rc.relname AS ref_table,
            array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
                  ORDER BY k.ord)::text[] AS ref_columns,
            c.confdeltype AS on_delete
     FROM pg_constraint c
     JOIN pg_class tc ON tc.oid = c.conrelid
     JOIN pg_class rc ON rc.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = tc.relnamespace
     WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const pgAction: Record<string, string> = {
    a: "NO ACTION",
    r: "RESTRICT",
    c: "CASCADE",
    n: "SET NULL",
    d: "SET DEFAULT",
  };
  for (const f of fks.rows) {
    shape.foreignKeys.add(
      `${f.table_name}(${f.columns.join(",")}) -> ${f.ref_table}(${f.ref_columns.join(",")}) on delete ${pgAction[f.on_delete] ?? f.on_delete}`,
    );
  }
  return shape;
}
