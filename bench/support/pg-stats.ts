import pg from "pg";

/** Counters of one database from PostgreSQL's statistics views, for the difference a phase made. */
export interface PgCounters {
  /** Transactions: each statement outside BEGIN … COMMIT is one. */
  transactions: number;
  rollbacks: number;
  blocksRead: number;
  blocksHit: number;
  tuplesReturned: number;
  tuplesFetched: number;
  tables: Record<
    string,
    { inserted: number; updated: number; hotUpdated: number; seqScans: number; indexScans: number }
  >;
}

const TABLES = ["FaceState", "Review", "ApiToken", "QueueTally", "Prediction", "User"];

export async function readPgCounters(client: pg.Client): Promise<PgCounters> {
  // Statistics are read once per transaction and cached: start from a fresh snapshot.
  await client.query("SELECT pg_stat_clear_snapshot()");
  const db = (
    await client.query<Record<string, string>>(
      `SELECT xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched
       FROM pg_stat_database WHERE datname = current_database()`,
    )
  ).rows[0]!;
  const tables = await client.query<Record<string, string>>(
    `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, seq_scan, COALESCE(idx_scan, 0) AS idx_scan
     FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`,
    [TABLES],
  );
  return {
    transactions: Number(db.xact_commit),
    rollbacks: Number(db.xact_rollback),
    blocksRead: Number(db.blks_read),
    blocksHit: Number(db.blks_hit),
    tuplesReturned: Number(db.tup_returned),
    tuplesFetched: Number(db.tup_fetched),
    tables: Object.fromEntries(
      tables.rows.map((t) => [
        t.relname!,
        {
          inserted: Number(t.n_tup_ins),
          updated: Number(t.n_tup_upd),
          hotUpdated: Number(t.n_tup_hot_upd),
          seqScans: Number(t.seq_scan),
          indexScans: Number(t.idx_scan),
        },
      ]),
    ),
  };
}

export function pgCountersBetween(a: PgCounters, b: PgCounters): PgCounters {
  const tables: PgCounters["tables"] = {};
  for (const [name, t] of Object.entries(b.tables)) {
    const s = a.tables[name];
    tables[name] = {
      inserted: t.inserted - (s?.inserted ?? 0),
      updated: t.updated - (s?.updated ?? 0),
      hotUpdated: t.hotUpdated - (s?.hotUpdated ?? 0),
      seqScans: t.seqScans - (s?.seqScans ?? 0),
      indexScans: t.indexScans - (s?.indexScans ?? 0),
    };
  }
  return {
    transactions: b.transactions - a.transactions,
    rollbacks: b.rollbacks - a.rollbacks,
    blocksRead: b.blocksRead - a.blocksRead,
    blocksHit: b.blocksHit - a.blocksHit,
    tuplesReturned: b.tuplesReturned - a.tuplesReturned,
    tuplesFetched: b.tuplesFetched - a.tuplesFetched,
    tables,
  };
}
