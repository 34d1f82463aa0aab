import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { childProcessEnv, getEnv } from "@/lib/env/env";
import { freePort, newestSource } from "@/test/support/app-server";
import { createServerDatabase } from "@/test/support/database";

// Adapted from test/support/app-server.ts, which cannot be imported outside vitest (its database
// helper imports vitest) and installs the tiny model before the launcher starts, where the bench
// needs a model of its choice.

export interface LoopApp {
  baseUrl: string;
  /** The app's MODELS_DIR: version folders are read from here to measure them in-process. */
  modelsDir: string;
  work: string;
  database: "server" | "embedded";
  admin: { email: string; password: string };
  /** The last part of the launcher's, web server's and worker's output. */
  output(): string;
  /** "running", or how the launcher ended (exit code or signal). */
  launcherState(): string;
  /** Stops launcher, web server and worker (one process group), drops a server database, removes the temp folder. */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
}

const root = path.resolve(__dirname, "../..");
const OUTPUT_KEEP = 200_000;

/**
 * The app as a user runs it: `npm start`'s launcher (migrations, admin bootstrap, baseline
 * registration) serving the production build plus its supervised training worker, on a free
 * port, with temp FEEDBACK_IMAGES_DIR / MODELS_DIR / DATA_DIR, and `baseModelDir` copied in as
 * `models/baseline` so it registers as version 1. The database is a fresh one on the server named
 * by TEST_DATABASE_URL, or else the launcher's own embedded default (in the temp DATA_DIR).
 */
export async function startLoopApp(opts: { baseModelDir: string; env?: Record<string, string>; startupTimeoutMs?: number }): Promise<LoopApp> {
  await waitForBuild();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-bench-"));
  const feedbackDir = path.join(work, "feedback_images");
  const modelsDir = path.join(work, "models");
  fs.mkdirSync(feedbackDir, { recursive: true });
  fs.cpSync(opts.baseModelDir, path.join(modelsDir, "baseline"), { recursive: true });

  const serverUrl = getEnv().TEST_DATABASE_URL;
  const db = serverUrl ? await createServerDatabase(serverUrl) : null;
  const port = await freePort();
  const admin = { email: "admin@bench.test", password: crypto.randomBytes(12).toString("hex") };
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  // Its own process group, so stop() reaches the web server and the worker even if the launcher
  // is gone, and a Ctrl-C in the terminal reaches only this script, which then stops the app.
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "scripts/launch.ts", "start"],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: childProcessEnv({
        NODE_ENV: "production",
        PORT: String(port),
        // Never the caller's DATABASE_URL: empty means the embedded database.
        DATABASE_URL: db?.url ?? "",
        EMBEDDED_DB_PORT: "0",
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        AUTH_SECRET: crypto.randomBytes(32).toString("hex"),
        FEEDBACK_IMAGES_DIR: feedbackDir,
        MODELS_DIR: modelsDir,
        DATA_DIR: path.join(work, "data"),
        NEXTAUTH_URL: baseUrl,
        START_WORKER: "true",
        NEXT_TELEMETRY_DISABLED: "1",
        ...opts.env,
      }),
    },
  );
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > OUTPUT_KEEP * 2) output = output.slice(-OUTPUT_KEEP);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);

  let stopped: Promise<void> | null = null;
  const app: LoopApp = {
    baseUrl,
    modelsDir,
    work,
    database: db ? "server" : "embedded",
    admin,
    output: () => output.slice(-OUTPUT_KEEP),
    launcherState: () =>
      child.exitCode !== null ? `exited with code ${child.exitCode}` : child.signalCode !== null ? `ended by ${child.signalCode}` : "running",
    stop(o = {}) {
      stopped ??= (async () => {
        await stopGroup(child);
        await db?.drop().catch((err: unknown) => console.error(`could not drop the bench database: ${String(err)}`));
        if (!o.keepFiles) fs.rmSync(work, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  try {
    await waitForHealth(baseUrl, child, () => output, opts.startupTimeoutMs ?? 180_000);
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

/** SIGTERM to the launcher's group (the launcher then records a running job's end and stops its database), SIGKILL after 20 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const signalGroup = (sig: NodeJS.Signals | 0) => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    signalGroup("SIGTERM");
    await Promise.race([exited, sleep(20_000)]);
  }
  // The launcher is gone; give its children a moment, then make sure none is left.
  for (let i = 0; i < 20 && signalGroup(0); i++) await sleep(250);
  signalGroup("SIGKILL");
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output().slice(-5000)}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`the app did not answer /api/health within ${Math.round(timeoutMs / 1000)} s:\n${output().slice(-5000)}`);
}

/**
 * The launcher serves the production build. Tests rebuild it under a lock folder when sources
 * change; wait for such a build to finish rather than start on a half-written `.next`.
 */
async function waitForBuild(): Promise<void> {
  const lock = path.join(root, ".next-build.lock");
  const deadline = Date.now() + 20 * 60_000;
  let said = false;
  while (fs.existsSync(lock) && Date.now() < deadline) {
    if (!said) console.log("waiting for a `next build` in progress (.next-build.lock) …");
    said = true;
    await sleep(2000);
  }
  if (fs.existsSync(lock)) throw new Error(`${lock} has existed for 20 minutes; is a build stuck? Remove it if no build is running.`);
  const buildId = path.join(root, ".next/BUILD_ID");
  if (!fs.existsSync(buildId)) {
    throw new Error("No production build found: run `npm run build` first (the bench starts the app the way `npm start` does).");
  }
  // The worker runs from source, the web server from the build: say so when they may differ.
  if (fs.statSync(buildId).mtimeMs < newestSource()) {
    console.log("warning: the production build is older than app/ or lib/; run `npm run build` to measure the current code.");
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
