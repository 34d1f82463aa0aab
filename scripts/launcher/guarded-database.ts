import fs from "node:fs";
import { describeExit, exited, spawnNodeChild, terminate, typeScriptEntry } from "@/scripts/launcher/spawn-child";
import type { GuardianMessage } from "@/scripts/launcher/database-guardian";

export interface GuardedDatabase {
  url: string;
  /** The cluster's folder. */
  dir: string;
  port: number;
  guardianPid: number | undefined;
  postgresPid: number | undefined;
  /** Settles when the guardian ends; unexpected while the launcher runs (the database is gone). */
  exited: Promise<string>;
  /** Fast shutdown of the server, then the guardian exits. */
  stop(): Promise<void>;
}

/**
 * The embedded database in a process of its own (database-guardian.ts), so that it is stopped even
 * when the launcher is killed outright.
 */
export async function startGuardedDatabase(env: NodeJS.ProcessEnv): Promise<GuardedDatabase> {
  const guardian = spawnNodeChild(typeScriptEntry("scripts/launcher/database-guardian.ts"), env);
  const ended = new Promise<string>((resolve) =>
    guardian.once("exit", (code, signal) => resolve(describeExit(code, signal))),
  );
  const ready = await new Promise<Extract<GuardianMessage, { type: "ready" }>>((resolve, reject) => {
    guardian.on("message", (m: GuardianMessage) => (m.type === "ready" ? resolve(m) : reject(new Error(m.message))));
    void ended.then((how) =>
      reject(new Error(`The embedded database's process ${how} before the database was ready.`)),
    );
  });
  return {
    url: ready.url,
    dir: ready.dir,
    port: ready.port,
    guardianPid: guardian.pid,
    postgresPid: ready.pid,
    exited: ended,
    async stop() {
      await terminate(guardian, 20_000);
      await exited(guardian);
      // A guardian that was killed could not stop the server: stop it here.
      if (ready.pid !== undefined) await stopServerLeftBehind(ready.pid, ready.dir);
    },
  };
}

/**
 * Stops a PostgreSQL server whose guardian is gone: SIGINT is its fast shutdown (open transactions
 * roll back, nothing committed is lost); SIGQUIT, if that takes too long, ends it at once and the
 * next start recovers from the WAL.
 */
export async function stopServerLeftBehind(pid: number, dir: string): Promise<void> {
  const serving = () => {
    try {
      // The pid file goes away when the server has shut down; a pid alone may have been reused.
      return fs.readFileSync(`${dir}/postmaster.pid`, "utf8").split("\n")[0] === String(pid) && signal(pid, 0);
    } catch {
      return false;
    }
  };
  if (!serving()) return;
  signal(pid, "SIGINT");
  for (let waited = 0; serving(); waited += 100) {
    if (waited === 10_000) signal(pid, "SIGQUIT");
    if (waited >= 15_000) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
