// The dashboard's figures at scale, measured: a database seeded as for bench:review (a million faces,
// 90 % reviewed, verdicts over a year), every 500th agreed face in the golden set, and
// dashboardStats (what GET /api/stats answers) timed for an admin (every reviewer) and a reviewer.
// Run: npm run bench:stats [-- --faces N --repeat K --url <seeded database> --out <dir> --json]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDb } from "@/lib/db/client";
import { dashboardStats } from "@/lib/stats/dashboard-stats";
import type { TestDatabase } from "@/test/support/database";
import { seedFreshDatabase } from "./support/review-seed";
import { machineInfo } from "./support/report";
import { latency } from "./support/review-report";

const USAGE = `npm run bench:stats -- [flags]

  --faces <n>     faces to seed (default 1000000)
  --repeat <n>    timed calls per caller (default 20)
  --url <url>     time an already seeded database instead of seeding one
  --out <dir>     where to write stats-<date>.md and .json (default bench/results)
  --json          print one JSON object last
  --keep          keep the seeded database`;

async function main() {
  const { values } = parseArgs({
    options: {
      faces: { type: "string", default: "1000000" },
      repeat: { type: "string", default: "20" },
      url: { type: "string" },
      out: { type: "string", default: "bench/results" },
      json: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const repeat = Number(values.repeat);
  let database: TestDatabase | null = null;
  try {
    let url = values.url;
    if (!url) {
      ({ database } = await seedFreshDatabase(Number(values.faces)));
      url = database.url;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      // A golden set as an admin would make one: agreed faces with an emotion, their consensus fixed.
      await c.query(
        `UPDATE "Face" f SET "golden" = true, "goldenAt" = now() - interval '3 days', "goldenLabel" = s."consensusLabel"
         FROM "FaceState" s
         WHERE s."faceId" = f."id" AND s."state" = 'AGREED' AND s."consensusLabel" NOT IN ('not_a_face', 'unsure')
           AND f."id" % 500 = 7`,
      );
      await c.query(`VACUUM (ANALYZE) "Face", "FaceState"`);
      await c.end();
    }
    const db = createDb(url);
    const sizes = await db.$queryRaw<{ faces: number; reviews: number; recent: number; golden: number }[]>`
      SELECT (SELECT count(*) FROM "FaceState")::int AS faces, (SELECT count(*) FROM "Review")::int AS reviews,
             (SELECT count(*) FROM "Review" WHERE "createdAt" >= now() - interval '30 days')::int AS recent,
             (SELECT count(*) FROM "Face" WHERE "golden")::int AS golden`;
    const reviewer = await db.user.findFirstOrThrow({ where: { role: "REVIEWER" }, orderBy: { id: "asc" } });
    const callers = [
      ["admin (every reviewer)", { kind: "everyone" }],
      ["reviewer (their own)", { kind: "own", reviewerId: reviewer.id }],
    ] as const;
    const rows: { caller: string; p50: number; p95: number; max: number; n: number }[] = [];
    for (const [caller, scope] of callers) {
      for (let i = 0; i < 2; i++) await dashboardStats(db, scope); // warm-up
      const times: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const t = performance.now();
        await dashboardStats(db, scope);
        times.push(performance.now() - t);
      }
      const l = latency(times);
      rows.push({ caller, p50: l.p50, p95: l.p95, max: l.max, n: times.length });
    }
    await db.$disconnect();
    const machine = machineInfo();
    const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    const s = sizes[0]!;
    const table = [
      `# Dashboard figures at scale, measured — ${new Date().toISOString().slice(0, 10)}`,
      "",
      `- machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB.toFixed(0)} GiB RAM; load average at the end ${load}`,
      `- database: ${s.faces.toLocaleString("en")} faces, ${s.reviews.toLocaleString("en")} verdicts (${s.recent.toLocaleString("en")} in the last 30 days), ${s.golden.toLocaleString("en")} golden faces; seeded as for bench:review`,
      `- each caller: ${repeat} sequential calls of dashboardStats (what GET /api/stats answers, without HTTP) after 2 warm-up calls`,
      "",
      "| caller | calls | p50 ms | p95 ms | max ms |",
      "|---|---|---|---|---|",
      ...rows.map((r) => `| ${r.caller} | ${r.n} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.max.toFixed(0)} |`),
      "",
    ].join("\n");
    console.log(table);
    fs.mkdirSync(values.out!, { recursive: true });
    const base = path.join(values.out!, `stats-${new Date().toISOString().slice(0, 10)}`);
    fs.writeFileSync(`${base}.md`, table);
    const result = { sizes: s, repeat, machine, load, rows };
    fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
    console.log(`wrote ${base}.md and .json`);
    if (values.json) console.log(JSON.stringify(result));
  } finally {
    if (database && !values.keep) await database.drop();
    else if (database) console.log(`kept database ${database.url}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
