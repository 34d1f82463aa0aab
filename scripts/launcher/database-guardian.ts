/**
 * The embedded PostgreSQL's own process, started by the launcher: it starts the server, tells the
 * launcher where it listens, and stops it (fast shutdown) when told to or when the launcher is gone
 * (exit-with-launcher.cjs turns that into SIGTERM). Kept out of the launcher so that a launcher
 * killed with kill -9 still has someone to stop the server it started.
 */
import { getEnv } from "@/lib/env/env";
import { startEmbeddedDatabase } from "@/lib/db/embedded";

/** What the guardian tells the launcher over the IPC channel. */
export type GuardianMessage =
  | { type: "ready"; url: string; port: number; dir: string; pid: number | undefined }
  | { type: "failed"; message: string };

/** Resolves once the message is handed to the channel, so an exit right after does not lose it. */
function tell(message: GuardianMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
}

async function main() {
  const env = getEnv();
  const db = await startEmbeddedDatabase({
    dataDir: env.dataDir,
    port: env.EMBEDDED_DB_PORT,
    log: (line) => console.log(line),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void db.stop().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  void db.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`[database] PostgreSQL (pid ${db.pid}) ended by itself (${signal ?? `code ${code}`})`);
    process.exit(1);
  });
  await tell({ type: "ready", url: db.url, port: db.port, dir: db.dir, pid: db.pid });
}

main().catch(async (err: unknown) => {
  await tell({ type: "failed", message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
