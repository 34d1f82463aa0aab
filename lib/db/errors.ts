/**
 * Whether an error means the database cannot be reached right now (refused, reset, shut down,
 * pool exhausted), as opposed to a query that is wrong. Such errors reach us in several wrappings:
 * a bare `pg` or socket error, an @prisma/adapter-pg DriverAdapterError whose `cause` names a
 * `kind`, or a Prisma client error with a P1xxx code and the driver error in `cause` / `meta`.
 * So the whole chain is searched, a few levels deep.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return search(err, 0, new Set());
}

/** Socket errors, Postgres SQLSTATEs of class 08 / 57P, and Prisma's "cannot reach" codes. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08004", // sqlserver_rejected_establishment_of_sqlconnection
  "08006", // connection_failure
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "53300", // too_many_connections
  "P1001", // can't reach database server
  "P1002", // database server timed out
  "P1008", // operation timed out
  "P1017", // server closed the connection
  "P2024", // timed out fetching a connection from the pool
]);

/** @prisma/driver-adapter-utils error kinds for the same situations. */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** Messages of errors that carry no code (pg's own "Connection terminated …", pool timeouts). */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|Can't reach database server|server closed the connection|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|timeout exceeded when trying to connect|connect ECONNREFUSED/i;

function search(value: unknown, depth: number, seen: Set<unknown>): boolean {
  if (depth > 5 || value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  const v = value as Record<string, unknown>;
  for (const key of ["code", "originalCode", "errno"]) {
    const c = v[key];
    if (typeof c === "string" && UNAVAILABLE_CODES.has(c)) return true;
  }
  if (typeof v.kind === "string" && UNAVAILABLE_KINDS.has(v.kind)) return true;
  for (const key of ["message", "originalMessage", "reason"]) {
    const m = v[key];
    if (typeof m === "string" && UNAVAILABLE_MESSAGE.test(m)) return true;
  }
  const nested = [v.cause, v.meta, (v.meta as Record<string, unknown> | undefined)?.driverAdapterError];
  if (Array.isArray(v.errors)) nested.push(...(v.errors as unknown[])); // AggregateError from net.connect
  return nested.some((n) => search(n, depth + 1, seen));
}
