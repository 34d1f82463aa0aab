import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { embeddedDatabaseUrlFor, freeLoopbackPort } from "@/lib/db/embedded-address";
import { childProcessEnv } from "@/lib/env/env";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";
import { createTinyModelDir } from "@/test/support/tiny-model";

export interface TestApp {
  baseUrl: string;
  port: number;
  /** The database's URL; for the embedded database, as of this launcher's start. */
  databaseUrl: string;
  feedbackDir: string;
  modelsDir: string;
  dataDir: string;
  /** The temp folder holding the installation's folders (and the embedded database's). */
  work: string;
  admin: { email: string; password: string };
  /** The launcher's process (`npm start`'s node process). */
  launcher: ChildProcess;
  /** Settles with the launcher's exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** "running", or how the launcher ended (exit code or signal). */
  launcherState(): string;
  /** The launcher's, web server's and worker's output: the last OUTPUT_KEEP characters of it. */
  output(): string;
  /**
   * Stops the launcher (its web server, worker and embedded database end with it); the last app
   * of an installation also drops its database and removes its temp folder, unless `keepFiles`.
   */
  stop(opts?: { keepFiles?: boolean }): Promise<void>;
}

const root = path.resolve(__dirname, "../..");
/** Enough output for any failure's story, bounded for runs of hours (benches). */
const OUTPUT_KEEP = 200_000;

/**
 * The real app as a user runs it, for tests and benches: `npm start`'s launcher (migrations, admin
 * bootstrap, baseline registration) serving the production build, on a free port, against a fresh
 * database, with a tiny real TF.js model (or `baseModelDir`) installed as the baseline and empty
 * image/model folders of its own.
 */
export async function startTestApp(opts: LaunchOptions = {}): Promise<TestApp> {
  const app = await launchTestApp(opts);
  try {
    await waitForHealth(app, opts.startupTimeoutMs ?? 90_000);
    if (!app.databaseUrl) app.databaseUrl = embeddedDatabaseUrl(app.dataDir, app.output());
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

export interface LaunchOptions {
  /** Install the tiny model as the baseline (default); false installs none. */
  withModel?: boolean;
  /** A model folder copied in as `<MODELS_DIR>/baseline` instead of the tiny model (version 1). */
  baseModelDir?: string;
  /** Also start a training worker, as `npm start` does. */
  worker?: boolean;
  env?: Record<string, string>;
  /** Serve the same data as a running app: a second process of one installation. */
  sameDataAs?: TestApp;
  /** The embedded database in the app's data folder (DATABASE_URL unset), as a default install runs. */
  embeddedDatabase?: boolean;
  /** Start again where this app (stopped or killed) left off: same port, folders and database. */
  restartOf?: TestApp;
  /** Fills the data folder before the launcher starts, e.g. with an earlier install's files. */
  prepareDataDir?: (dataDir: string) => Promise<unknown>;
  /** An existing database to use (and leave behind) instead of a fresh one, e.g. one the test stops and starts. */
  databaseUrl?: string;
  /** How long startTestApp waits for /api/health to answer (default 90 s). */
  startupTimeoutMs?: number;
}

/** Folders, database and admin of one installation, removed when the last app using them stops. */
interface Installation {
  db: TestDatabase | null;
  work: string;
  admin: { email: string; password: string };
  users: number;
}
const installations = new WeakMap<TestApp, Installation>();

/**
 * Starts the launcher and returns at once, without waiting for the app to answer: for tests of
 * the launcher itself. `databaseUrl` is empty for the embedded database until the app is up.
 */
export async function launchTestApp(opts: LaunchOptions = {}): Promise<TestApp> {
  await ensureBuild();
  const prior = opts.restartOf ?? opts.sameDataAs;
  const shared = prior && installations.get(prior);
  let install: Installation;
  if (shared) {
    install = shared;
  } else {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-app-"));
    // As root the embedded PostgreSQL runs as the "postgres" user, which must reach the data folder.
    if (opts.embeddedDatabase) fs.chmodSync(work, 0o711);
    const db: TestDatabase | null = opts.databaseUrl
      ? { url: opts.databaseUrl, kind: "server", drop: async () => {} }
      : opts.embeddedDatabase
        ? null
        : await createTestDatabase({ migrate: false });
    // Random, so an app left running on a shared machine is not open to a known password.
    const admin = { email: "admin@example.test", password: crypto.randomBytes(12).toString("hex") };
    install = { work, users: 0, db, admin };
  }
  install.users++;
  const { work, admin } = install;
  const feedbackDir = prior?.feedbackDir ?? path.join(work, "feedback_images");
  const modelsDir = prior?.modelsDir ?? path.join(work, "models");
  const dataDir = path.join(work, "data");
  fs.mkdirSync(feedbackDir, { recursive: true });
  fs.mkdirSync(modelsDir, { recursive: true });
  if (!prior && opts.baseModelDir) fs.cpSync(opts.baseModelDir, path.join(modelsDir, "baseline"), { recursive: true });
  else if (!prior && opts.withModel !== false) await createTinyModelDir(path.join(modelsDir, "baseline"));
  if (opts.prepareDataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    await opts.prepareDataDir(dataDir);
  }
  const port = opts.restartOf?.port ?? (await freePort());
  let output = "";
  // As `npm start` runs it: one node process, so its pid is the launcher's.
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=react-server", "scripts/launch.ts", "start"],
    {
      cwd: root,
      env: childProcessEnv({
        NODE_ENV: "production",
        PORT: String(port),
        // Empty is unset for the app's env module.
        DATABASE_URL: install.db?.url ?? "",
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        AUTH_SECRET: authSecretOf(work),
        FEEDBACK_IMAGES_DIR: feedbackDir,
        MODELS_DIR: modelsDir,
        DATA_DIR: dataDir,
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        START_WORKER: opts.worker ? "true" : "false",
        NEXT_TELEMETRY_DISABLED: "1",
        ...opts.env,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > OUTPUT_KEEP * 2) output = output.slice(-OUTPUT_KEEP);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stopped: Promise<void> | undefined;
  const app: TestApp = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    databaseUrl: install.db?.url ?? "",
    feedbackDir,
    modelsDir,
    dataDir,
    work,
    admin,
    launcher: child,
    exited,
    launcherState: () =>
      child.exitCode !== null
        ? `exited with code ${child.exitCode}`
        : child.signalCode !== null
          ? `ended by ${child.signalCode}`
          : "running",
    output: () => output.slice(-OUTPUT_KEEP),
    stop(stopOpts = {}) {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          // The launcher stops its processes first, then the database (up to 10 s + 20 s).
          await Promise.race([exited, new Promise((r) => setTimeout(r, 35_000))]);
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }
        if (--install.users > 0) return;
        try {
          await install.db?.drop();
        } finally {
          if (!stopOpts.keepFiles) fs.rmSync(work, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
  };
  installations.set(app, install);
  return app;
}

/** One auth secret per installation, so a restarted app accepts the cookies of the one before. */
function authSecretOf(work: string): string {
  const file = path.join(work, "test-auth-secret");
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"));
  return fs.readFileSync(file, "utf8");
}

/** The embedded database's URL, from the port the launcher printed and the password it keeps. */
export function embeddedDatabaseUrl(dataDir: string, output: string): string {
  const ports = [...output.matchAll(/PostgreSQL on 127\.0\.0\.1:(\d+)/g)];
  const port = ports.at(-1)?.[1];
  if (!port) throw new Error(`the launcher did not say where the embedded database listens:\n${output}`);
  return embeddedDatabaseUrlFor(dataDir, Number(port));
}

async function waitForHealth(app: TestApp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.launcherState() !== "running") throw new Error(`app ${app.launcherState()}:\n${app.output()}`);
    try {
      // A first answer can wait for a real model's warm-up; ask again rather than hang on it.
      const res = await fetch(`${app.baseUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app did not answer /api/health within ${Math.round(timeoutMs / 1000)} s:\n${app.output()}`);
}

/** A free loopback port (the OS picks it; the listener closes at once). */
export const freePort = freeLoopbackPort;

/**
 * Builds the app when there is no build or sources changed since the last one. Test files run in
 * parallel processes, so a lock folder makes the others wait for the one that builds.
 */
async function ensureBuild() {
  const buildId = path.join(root, ".next/BUILD_ID");
  const fresh = () => fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs > newestSource();
  if (fresh()) return;
  const lock = path.join(root, ".next-build.lock");
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than 15 minutes belongs to a build that died.
      const st = fs.statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 15 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (fresh()) return;
    // A build takes minutes: say what the wait is for.
    console.log("building the app (next build) …");
    const r = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      encoding: "utf8",
      env: childProcessEnv({ NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" }),
    });
    if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Newest modification time of the sources a production build is made from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".") || e.name === "generated") continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(tsx?|css|json)$/.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of ["app", "lib"]) walk(path.join(root, d));
  for (const f of ["next.config.ts", "package.json", "proxy.ts", "instrumentation.ts", "instrumentation-client.ts"]) {
    const st = fs.statSync(path.join(root, f), { throwIfNoEntry: false });
    if (st) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/**
 * Signs in through next-auth's credentials endpoint; returns the Cookie header to send.
 * Each request gives up after `timeoutMs`.
 */
export async function signIn(baseUrl: string, email: string, password: string, timeoutMs = 60_000): Promise<string> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`, { signal: AbortSignal.timeout(timeoutMs) });
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesFrom(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const all = [jar, cookiesFrom(res)].filter(Boolean).join("; ");
  if (!/session-token=/.test(all)) throw new Error(`sign-in as ${email} failed (${res.status})`);
  return all;
}

function cookiesFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
