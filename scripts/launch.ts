/**
 * `npm start` / `npm run dev`: starts the embedded database when DATABASE_URL is unset, applies
 * pending migrations, makes sure an admin and the shipped baseline model exist, then runs the
 * Next.js server with DATABASE_URL pointing at the database.
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

  const nextBin = path.resolve("node_modules/next/dist/bin/next");
  const child: ChildProcess = spawn(process.execPath, [nextBin, mode, "-p", String(env.PORT)], {
    stdio: "inherit",
    env: childProcessEnv({
      DATABASE_URL: db.url,
      AUTH_SECRET: getAuthSecret(),
      NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`,
    }),
  });
  console.log(`Emotion Loop on http://localhost:${env.PORT} (${db.embedded ? "embedded database" : "DATABASE_URL"})`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    child.kill("SIGTERM");
    await db.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  child.on("exit", (code) => void stop(code ?? 0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
