import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The embedded default database: PGlite (Postgres compiled to WASM) with its files under
 * `<dataDir>/pglite`, served on a loopback port so the app uses the same `pg` driver path as with
 * a real server. Runs inside the launcher process; the app and worker connect to the URL.
 */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(opts: {
  dataDir: string;
  port?: number;
  maxConnections?: number;
}): Promise<EmbeddedDatabase> {
  const dir = path.join(opts.dataDir, "pglite");
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: opts.port ?? 0,
    // PGlite is single-session; the socket server multiplexes clients and keeps a client's
    // transaction exclusive until it ends.
    maxConnections: opts.maxConnections ?? 16,
  });
  await server.start();
  const port = listeningPort(server);
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

function listeningPort(server: PGLiteSocketServer): number {
  const port = Number(server.getServerConn().split(":").pop());
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`embedded database: unexpected listening address ${server.getServerConn()}`);
  }
  return port;
}
