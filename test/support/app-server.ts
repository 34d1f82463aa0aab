import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import crypto from "node:crypto";
import { childProcessEnv } from "@/lib/env/env";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";
import { createTinyModelDir } from "@/test/support/tiny-model";

export interface TestApp {
  baseUrl: string;
  databaseUrl: string;
  feedbackDir: string;
  modelsDir: string;
  admin: { email: string; password: string };
  output(): string;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, "../..");

/**
 * The real app as a user runs it: `npm start`'s launcher (migrations, admin bootstrap, baseline
 * registration) serving the production build, on a free port, against a fresh database, with a
 * tiny real TF.js model installed as the baseline and empty image/model folders of its own.
 */
export async function startTestApp(
  opts: {
    withModel?: boolean;
    /** Also start a training worker, as `npm start` does. */
    worker?: boolean;
    env?: Record<string, string>;
    /** Serve the same data as a running app: a second process of one installation. */
    sameDataAs?: TestApp;
    /**
     * Run as `npm start` does with no DATABASE_URL: the launcher starts its own embedded PostgreSQL
     * in the app's data folder. Otherwise a fresh database on TEST_DATABASE_URL (or a test cluster).
     */
    embedded?: boolean;
    /** An existing database to use (and leave behind) instead of a fresh one, e.g. one the test stops and starts. */
    databaseUrl?: string;
  } = {},
): Promise<TestApp> {
  await ensureBuild();
  const shared = opts.sameDataAs;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "el-app-"));
  // As root the embedded server runs as the `postgres` user, which must be able to reach DATA_DIR.
  if (opts.embedded) fs.chmodSync(work, 0o755);
  const dataDir = path.join(work, "data");
  const embeddedPort = opts.embedded ? await freePort() : 0;
  const given = shared?.databaseUrl ?? opts.databaseUrl;
  const db: TestDatabase = given
    ? { url: given, kind: "server", drop: async () => {} }
    : opts.embedded
      ? { url: "", kind: "embedded", drop: async () => {} }
      : await createTestDatabase({ migrate: false });
  const feedbackDir = shared?.feedbackDir ?? path.join(work, "feedback_images");
  const modelsDir = shared?.modelsDir ?? path.join(work, "models");
  fs.mkdirSync(feedbackDir, { recursive: true });
  fs.mkdirSync(modelsDir, { recursive: true });
  if (!shared && opts.withModel !== false) await createTinyModelDir(path.join(modelsDir, "baseline"));
  const port = await freePort();
  const admin = { email: "admin@example.test", password: "admin-password-1" };
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "scripts/launch.ts", "start"],
    {
      cwd: root,
      env: childProcessEnv({
        NODE_ENV: "production",
        PORT: String(port),
        DATABASE_URL: db.url,
        EMBEDDED_DB_PORT: String(embeddedPort),
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        AUTH_SECRET: crypto.randomBytes(32).toString("hex"),
        FEEDBACK_IMAGES_DIR: feedbackDir,
        MODELS_DIR: modelsDir,
        DATA_DIR: dataDir,
        NEXTAUTH_URL: `http://127.0.0.1:${port}`,
        START_WORKER: opts.worker ? "true" : "false",
        ...opts.env,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, child, () => output);
  // The embedded server's password is generated at its first start, into the data folder.
  const databaseUrl = opts.embedded
    ? `postgresql://emotion_loop:${fs.readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim()}@127.0.0.1:${embeddedPort}/emotion_loop`
    : db.url;
  return {
    baseUrl,
    databaseUrl,
    feedbackDir,
    modelsDir,
    admin,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await db.drop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.status === 200 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app did not answer /api/health within 90 s:\n${output()}`);
}

/** A free loopback port (the OS picks it; the listener closes at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

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
export function newestSource(): number {
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
