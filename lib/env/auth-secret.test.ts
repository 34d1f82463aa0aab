import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getAuthSecret, resetEnvForTests } from "@/lib/env/env";

const NAMES = [
  "AUTH_SECRET",
  "NEXTAUTH_SECRET",
  "DATABASE_URL",
  "NODE_ENV",
  "npm_lifecycle_event",
  "DATA_DIR",
] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));

function withEnv(vars: Partial<Record<(typeof NAMES)[number], string>>): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "el-secret-"));
  made.push(dataDir);
  for (const n of NAMES) delete env[n];
  Object.assign(env, { DATA_DIR: dataDir }, vars);
  resetEnvForTests();
  return dataDir;
}

const env = process.env as Record<string, string | undefined>;
const made: string[] = [];

afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete env[n];
    else env[n] = saved[n];
  }
  resetEnvForTests();
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const DB = "postgresql://u:p@127.0.0.1:5432/app";

describe("getAuthSecret", () => {
  it.each([
    ["`npm start` on a database", { DATABASE_URL: DB, npm_lifecycle_event: "start" }],
    ["a production server on a database", { DATABASE_URL: DB, NODE_ENV: "production" }],
    ["the launcher run by hand on a database", { DATABASE_URL: DB }],
  ] as const)("refuses to invent a secret for %s, naming the variable and how to make one", (_what, vars) => {
    const dataDir = withEnv(vars);
    expect(() => getAuthSecret()).toThrow(
      /AUTH_SECRET is required when DATABASE_URL is set[\s\S]*openssl rand -hex 32/,
    );
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it.each([
    ["the embedded database (no DATABASE_URL)", {}],
    ["`npm run dev` on a database", { DATABASE_URL: DB, npm_lifecycle_event: "dev" }],
    ["NODE_ENV=development on a database", { DATABASE_URL: DB, NODE_ENV: "development" }],
  ] as const)("generates one secret into the data folder for %s and keeps it", (_what, vars) => {
    const dataDir = withEnv(vars);
    const first = getAuthSecret();
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(path.join(dataDir, "auth-secret"), "utf8").trim()).toBe(first);
    expect(getAuthSecret()).toBe(first);
  });

  it("the launcher's mode decides when it says so", () => {
    withEnv({ DATABASE_URL: DB, npm_lifecycle_event: "dev" });
    expect(() => getAuthSecret({ dev: false })).toThrow(/AUTH_SECRET is required/);
  });

  it("uses AUTH_SECRET (or next-auth's NEXTAUTH_SECRET) when set", () => {
    const secret = "s".repeat(64);
    withEnv({ DATABASE_URL: DB, NODE_ENV: "production", AUTH_SECRET: secret });
    expect(getAuthSecret()).toBe(secret);
    withEnv({ DATABASE_URL: DB, NODE_ENV: "production", NEXTAUTH_SECRET: secret });
    expect(getAuthSecret()).toBe(secret);
  });
});
