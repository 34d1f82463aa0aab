/**
 * `npm start` / `npm run dev`: starts the embedded database when DATABASE_URL is unset, applies
 * pending migrations, makes sure an admin and the shipped baseline model exist, then runs the
 * Next.js server, a training worker and an import worker with DATABASE_URL pointing at the database.
 *
 * The launcher watches over what it started: a web server or worker that dies is started again
 * (1 s, 2 s, 4 s … apart), and one that keeps dying makes the launcher stop everything and exit 1.
 * Nothing it started outlives it, even under kill -9 (see launcher/exit-with-launcher.cjs).
 */
import path from "node:path";
import fs from "node:fs";
import { childProcessEnv, getAuthSecret, getEnv } from "@/lib/env/env";
import { prepareDatabase } from "@/scripts/support/prepare-database";
import { createSupervisor } from "@/scripts/launcher/supervisor";
import { startGuardedDatabase, type GuardedDatabase } from "@/scripts/launcher/guarded-database";
import { typeScriptEntry } from "@/scripts/launcher/spawn-child";

const log = (line: string) => console.log(line);

async function main() {
  const mode = process.argv[2] === "dev" ? "dev" : "start";
  const env = getEnv();
  if (mode === "start" && !fs.existsSync(path.resolve(".next/BUILD_ID"))) {
    console.error("No production build found. Run `npm run build` first (or `npm run dev`).");
    process.exit(1);
  }
  // Before anything starts: a missing secret on a shared database is a configuration error.
  let authSecret: string;
  try {
    authSecret = getAuthSecret({ dev: mode === "dev" });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }

  let database: GuardedDatabase | undefined;
  let stopping = false;
  let supervisor: ReturnType<typeof createSupervisor> | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // The worker records a running job's end before the database goes away.
    await supervisor?.stopAll(10_000);
    await database?.stop();
    log(`[launcher] stopped${code === 0 ? "" : ` (exit code ${code})`}`);
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));

  if (!env.DATABASE_URL) {
    database = await startGuardedDatabase(childProcessEnv({}));
    log(
      `Embedded database: ${database.dir} (PostgreSQL on 127.0.0.1:${database.port}, ` +
        `pid ${database.postgresPid}, guarded by pid ${database.guardianPid})`,
    );
    void database.exited.then((how) => {
      if (stopping) return;
      log(`[launcher] the embedded database's process (pid ${database?.guardianPid}) ${how}; stopping`);
      void stop(1);
    });
  }
  let db: Awaited<ReturnType<typeof prepareDatabase>>;
  try {
    db = await prepareDatabase({ log, running: database && { url: database.url, embedded: true } });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return stop(1);
  }
  if (stopping) return;

  // Without NEXTAUTH_URL, next-auth builds its URLs (sign-in and sign-out redirects) from the
  // request's own host, so a user on http://127.0.0.1:3000 stays there rather than being sent to
  // localhost. Behind a proxy, NEXTAUTH_URL names the public address.
  const childEnv = childProcessEnv({
    DATABASE_URL: db.url,
    AUTH_SECRET: authSecret,
    ...(env.NEXTAUTH_URL ? { NEXTAUTH_URL: env.NEXTAUTH_URL } : { AUTH_TRUST_HOST: "true" }),
  });
  supervisor = createSupervisor({
    log,
    onGiveUp: (name) => {
      log(`[launcher] giving up: the ${name} keeps exiting; stopping everything`);
      void stop(1);
    },
  });
  const nextBin = path.resolve("node_modules/next/dist/bin/next");
  supervisor.start({ name: "web server", args: [nextBin, mode, "-p", String(env.PORT)], env: childEnv });
  // A worker that dies leaves its running job to the stale-job sweep (ended as FAILED); the new one
  // takes what is queued.
  if (env.START_WORKER) {
    supervisor.start({ name: "worker", args: typeScriptEntry("scripts/worker.ts"), env: childEnv });
    // Bulk imports in a process of their own: a training run never holds them up, and face
    // detection keeps the app's TensorFlow.js. An import a dead one left is resumed by the next.
    supervisor.start({ name: "import worker", args: typeScriptEntry("scripts/worker.ts", "--imports"), env: childEnv });
  }
  log(
    `Emotion Loop on ${env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`} (${db.embedded ? "embedded database" : "DATABASE_URL"})`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
