import { describe, expect, it } from "vitest";
import pg from "pg";
import { createDb } from "@/lib/db/client";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { freeLoopbackPort as freePort } from "@/lib/db/embedded-address";

/** What pg throws: an Error with the server's SQLSTATE and severity. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "FATAL" });

describe("isDatabaseUnavailable", () => {
  // The shapes these errors arrive in: bare pg / socket errors, @prisma/adapter-pg's
  // DriverAdapterError (a `cause` with a `kind`), Prisma client errors (P-codes, `meta`).
  const unavailable: [string, unknown][] = [
    ["socket refused", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5"), { code: "ECONNREFUSED" })],
    ["socket reset", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["server shut down (57P01)", pgError("57P01", "terminating connection due to administrator command")],
    ["server starting up (57P03)", pgError("57P03", "the database system is starting up")],
    ["pg: Connection terminated unexpectedly", new Error("Connection terminated unexpectedly")],
    ["pg pool: connect timeout", new Error("timeout exceeded when trying to connect")],
    [
      "DriverAdapterError DatabaseNotReachable",
      Object.assign(new Error("DriverAdapterError"), {
        name: "DriverAdapterError",
        cause: { kind: "DatabaseNotReachable", host: "127.0.0.1" },
      }),
    ],
    [
      "DriverAdapterError ConnectionClosed",
      Object.assign(new Error("DriverAdapterError"), {
        name: "DriverAdapterError",
        cause: { kind: "ConnectionClosed" },
      }),
    ],
    [
      "DriverAdapterError postgres 57P01",
      Object.assign(new Error("DriverAdapterError"), {
        cause: { kind: "postgres", code: "57P01", message: "terminating connection" },
      }),
    ],
    ["Prisma P1001", Object.assign(new Error("Can't reach database server at 127.0.0.1:5"), { code: "P1001" })],
    ["Prisma P1017", Object.assign(new Error("Server has closed the connection."), { code: "P1017" })],
    [
      "Prisma error with the driver error in meta",
      Object.assign(new Error("x"), {
        code: "P2010",
        meta: { driverAdapterError: { cause: { kind: "SocketTimeout" } } },
      }),
    ],
    [
      "AggregateError from a dual-stack connect",
      Object.assign(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]), {}),
    ],
  ];
  it.each(unavailable)("%s → unavailable", (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  const notUnavailable: [string, unknown][] = [
    ["unique violation", pgError("23505", 'duplicate key value violates unique constraint "User_email_key"')],
    ["Prisma P2002", Object.assign(new Error("Unique constraint failed"), { code: "P2002" })],
    ["NUL in text (22021)", pgError("22021", 'invalid byte sequence for encoding "UTF8": 0x00')],
    ["a plain bug", new TypeError("Cannot read properties of undefined")],
    ["not an error", "ECONNREFUSED"],
    [
      "a cycle",
      (() => {
        const e: { cause?: unknown } = {};
        e.cause = e;
        return e;
      })(),
    ],
  ];
  it.each(notUnavailable)("%s → not unavailable", (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it("recognises what pg and Prisma really throw for a port nobody listens on", async () => {
    const url = `postgresql://u:p@127.0.0.1:${await freePort()}/x`;
    const c = new pg.Client({ connectionString: url });
    const pgErr = await c.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(pgErr)).toBe(true);
    const db = createDb(url);
    const prismaErr = await db.$queryRaw`SELECT 1`.then(
      () => null,
      (e: unknown) => e,
    );
    await db.$disconnect();
    expect(isDatabaseUnavailable(prismaErr)).toBe(true);
  });
});
