import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, launchTestApp, signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client, seedReviewedFaces } from "@/test/support/http";

// The launcher (`npm start`) as a process supervisor, with real processes killed for real: the
// embedded PostgreSQL in the app's data folder, the production build, a training worker.

/** The pid of the last process the launcher started under this name ("web server", "worker"). */
function startedPid(output: string, name: string): number {
  const all = [...output.matchAll(new RegExp(`\\[launcher\\] ${name} started \\(pid (\\d+)\\)`, "g"))];
  const pid = Number(all.at(-1)?.[1]);
  if (!pid) throw new Error(`the launcher did not start a ${name}:\n${output}`);
  return pid;
}

/** The embedded database's server and guardian, from the launcher's line about them. */
function databasePids(output: string): { postgres: number; guardian: number } {
  const m = [...output.matchAll(/PostgreSQL on 127\.0\.0\.1:\d+, pid (\d+), guarded by pid (\d+)/g)].at(-1);
  if (!m) throw new Error(`the launcher did not name the database's processes:\n${output}`);
  return { postgres: Number(m[1]), guardian: Number(m[2]) };
}

/** Running, per /proc: a zombie waiting for a parent to collect it has ended. */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Pids whose parent is `ppid`, per /proc. */
function childrenOf(ppid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === ppid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false> | T | null | false,
  ms: number,
  app?: TestApp,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}\n${app?.output().slice(-4000) ?? ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function healthStatus(app: TestApp): Promise<number> {
  try {
    return (await fetch(`${app.baseUrl}/api/health`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

describe("the launcher keeps its processes up and takes them down with it", { timeout: 300_000 }, () => {
  let app: TestApp;
  let admin: ReturnType<typeof client>;

  beforeAll(async () => {
    app = await startTestApp({
      embeddedDatabase: true,
      worker: true,
      env: { JOB_HEARTBEAT_TIMEOUT_SECONDS: "4", REPLAY_PER_CLASS: "0" },
    });
    admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
    expect(await seedReviewedFaces(admin)).toBeGreaterThanOrEqual(10);
  }, 400_000);

  afterAll(async () => {
    await app?.stop();
  });

  it("restarts a web server killed with kill -9 and names the exit in one line", async () => {
    const web = startedPid(app.output(), "web server");
    const worker = startedPid(app.output(), "worker");
    expect(childrenOf(app.launcher.pid!)).toEqual(expect.arrayContaining([web, worker]));

    process.kill(web, "SIGKILL");
    await waitFor("a new web server", () => startedPid(app.output(), "web server") !== web, 30_000, app);
    expect(app.output()).toMatch(
      new RegExp(`\\[launcher\\] web server \\(pid ${web}\\) was killed by SIGKILL at \\S+; restarting it in 1 s`),
    );
    await waitFor("/api/health to answer 200", async () => (await healthStatus(app)) === 200, 60_000, app);
    // Only the web server was replaced.
    expect(startedPid(app.output(), "worker")).toBe(worker);
    expect(running(app.launcher.pid!)).toBe(true);
  });

  it("restarts a worker killed with kill -9; a job queued while it is down runs to the end", async () => {
    const killed = startedPid(app.output(), "worker");
    process.kill(killed, "SIGKILL");
    // Queued at once, before the launcher's 1 s wait is over: no worker is running.
    const res = await admin.json("POST", "/api/training-jobs", { epochs: 1, min_samples: 5 });
    expect(res.status).toBe(202);
    const { job_id } = (await res.json()) as { job_id: number };
    const job = await waitFor(
      "the job to end",
      async () => {
        const j = (
          (await (await admin.get(`/api/training-jobs/${job_id}`)).json()) as {
            job: { status: string; worker: string | null; error: string | null };
          }
        ).job;
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) && j;
      },
      180_000,
      app,
    );
    expect(job).toMatchObject({ status: "SUCCEEDED", error: null });
    const replacement = startedPid(app.output(), "worker");
    expect(replacement).not.toBe(killed);
    expect(job.worker).toMatch(new RegExp(`:${replacement}$`));
    expect(app.output()).toMatch(
      new RegExp(`\\[launcher\\] worker \\(pid ${killed}\\) was killed by SIGKILL at \\S+; restarting it in 1 s`),
    );
  });

  it("kill -9 of the launcher ends web server, worker and PostgreSQL; the next start on the same folder and port has the data", async () => {
    const created = await admin.json("POST", "/api/users", {
      email: "kept@example.test",
      password: "kept-password-1",
      role: "REVIEWER",
    });
    expect(created.status).toBe(201);
    const before = new pg.Client({ connectionString: app.databaseUrl });
    await before.connect();
    const reviews = Number((await before.query(`SELECT count(*) FROM "Review"`)).rows[0].count);
    await before.end();
    expect(reviews).toBeGreaterThanOrEqual(10);

    const pids = {
      "web server": startedPid(app.output(), "web server"),
      worker: startedPid(app.output(), "worker"),
      ...databasePids(app.output()),
    };
    for (const pid of Object.values(pids)) expect(running(pid)).toBe(true);

    const killedAt = Date.now();
    process.kill(app.launcher.pid!, "SIGKILL");
    await app.exited;
    await waitFor(
      "every process of the launcher to end",
      () => Object.values(pids).every((pid) => !running(pid)),
      12_000,
      app,
    );
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(12_000);
    // PostgreSQL was shut down, not left to be recovered: it removed its pid file.
    expect(fs.existsSync(path.join(app.dataDir, "postgres", "postmaster.pid"))).toBe(false);

    const next = await startTestApp({ restartOf: app, embeddedDatabase: true, worker: true });
    const old = app;
    app = next;
    await old.stop();
    expect(next.port).toBe(old.port);
    expect(next.output()).not.toMatch(/EADDRINUSE|still running/);
    // A user and the reviews written before the kill are there.
    await signIn(next.baseUrl, "kept@example.test", "kept-password-1");
    const after = new pg.Client({ connectionString: next.databaseUrl });
    await after.connect();
    try {
      expect(Number((await after.query(`SELECT count(*) FROM "Review"`)).rows[0].count)).toBe(reviews);
    } finally {
      await after.end();
    }
  });

  it("SIGTERM stops the web server and worker, then the database, and exits 0", async () => {
    const pids = [
      startedPid(app.output(), "web server"),
      startedPid(app.output(), "worker"),
      ...Object.values(databasePids(app.output())),
    ];
    for (const pid of pids) expect(running(pid)).toBe(true);
    app.launcher.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(pids.filter(running)).toEqual([]);
    expect(fs.existsSync(path.join(app.dataDir, "postgres", "postmaster.pid"))).toBe(false);
    expect(app.output()).toMatch(/\[launcher\] stopped\n/);
    expect(app.output()).not.toMatch(/restarting it/);
  });
});

describe("the launcher stops when restarting cannot help", { timeout: 240_000 }, () => {
  it("exits 1 when the web server cannot take its port, stopping the worker and the database", async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(port, "127.0.0.1", () => r()));
    const app = await launchTestApp({ embeddedDatabase: true, worker: true, env: { PORT: String(port) } });
    try {
      const code = await Promise.race([
        app.exited,
        new Promise<"still running">((r) => setTimeout(() => r("still running"), 180_000)),
      ]);
      expect(code, app.output()).toBe(1);
      const out = app.output();
      expect(
        out.match(/\[launcher\] web server \(pid \d+\) exited with code 1 at \S+; restarting it in/g),
      ).toHaveLength(4);
      expect(out).toMatch(
        /\[launcher\] web server \(pid \d+\) exited with code 1: 5 exits in a row, each within 60 s of its start; giving up/,
      );
      expect(out).toMatch(/\[launcher\] giving up: the web server keeps exiting; stopping everything/);
      const pids = [startedPid(out, "worker"), ...Object.values(databasePids(out))];
      expect(pids.filter(running)).toEqual([]);
      expect(fs.existsSync(path.join(app.dataDir, "postgres", "postmaster.pid"))).toBe(false);
    } finally {
      holder.close();
      await app.stop();
    }
  });

  it("exits 1 when the embedded database's process is killed, and stops PostgreSQL itself", async () => {
    const app = await startTestApp({ embeddedDatabase: true, worker: true });
    try {
      const { postgres, guardian } = databasePids(app.output());
      const children = [startedPid(app.output(), "web server"), startedPid(app.output(), "worker")];
      process.kill(guardian, "SIGKILL");
      expect(await app.exited, app.output()).toBe(1);
      expect(app.output()).toMatch(
        new RegExp(
          `\\[launcher\\] the embedded database's process \\(pid ${guardian}\\) was killed by SIGKILL; stopping`,
        ),
      );
      expect([postgres, ...children].filter(running)).toEqual([]);
      expect(fs.existsSync(path.join(app.dataDir, "postgres", "postmaster.pid"))).toBe(false);
    } finally {
      await app.stop();
    }
  });
});
