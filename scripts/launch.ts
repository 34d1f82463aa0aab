/**
 * `npm start` / `npm run dev`: starts the embedded database when DATABASE_URL is unset, applies
 * pending migrations, makes sure an admin and the shipped baseline model exist, then runs the
 * Next.js server and a training worker with DATABASE_URL pointing at the database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import fs from "node:fs";
import { childProcessEnv, getAuthSecret, getEnv } from "@/lib/env/env";
import { prepareDatabase } from "@/lib/db/prepare";

async function main() {
  const mode = process.argv[2] === "dev" ? "dev" : "start";
  const env = getEnv();
  const db = await prepareDatabase({ log: (l) => console.log(l) });

  if (mode === "start" && !fs.existsSync(path.resolve(".next/BUILD_ID"))) {
    console.error("No production build found. Run `npm run build` first (or `npm run dev`).");
    await db.stop();
    process.exit(1);
  }

  const childEnv = childProcessEnv({
    DATABASE_URL: db.url,
    AUTH_SECRET: getAuthSecret(),
    NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`,
  });
  const nextBin = path.resolve("node_modules/next/dist/bin/next");
  const web = spawn(process.execPath, [nextBin, mode, "-p", String(env.PORT)], { stdio: "inherit", env: childEnv });
  const children = new Set<ChildProcess>([web]);
  let stopping = false;
  // The worker is supervised: if it dies (crash, OOM, kill), a new one starts and picks up what is
  // queued; the job it was running is ended as FAILED by the stale-job sweep.
  const startWorkerProcess = () => {
    const tsx = path.resolve("node_modules/tsx/dist/cli.mjs");
    const w = spawn(process.execPath, [tsx, "--conditions=react-server", "scripts/worker.ts"], { stdio: "inherit", env: childEnv });
    children.add(w);
    w.on("exit", (code, signal) => {
      children.delete(w);
      if (stopping) return;
      console.error(`[launcher] worker exited (${signal ?? code}); starting a new one in 2 s`);
      setTimeout(() => !stopping && startWorkerProcess(), 2000).unref();
    });
  };
  if (env.START_WORKER) startWorkerProcess();
  console.log(`Emotion Loop on http://localhost:${env.PORT} (${db.embedded ? "embedded database" : "DATABASE_URL"})`);

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const running = [...children];
    const exited = running.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r))));
    running.forEach((c) => c.kill("SIGTERM"));
    // Give the worker a moment to record a running job's end before the database goes away.
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 5000))]);
    await db.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  web.on("exit", (code) => void stop(code ?? 0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
