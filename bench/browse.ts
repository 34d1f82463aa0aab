// The dataset browser at scale, measured: a database seeded as for bench:review (a million faces,
// 90 % reviewed), the app started on it, and GET /api/faces timed through HTTP for a set of filters
// an admin would use, first pages and pages deep into a cursor walk.
// Run: npm run bench:browse [-- --faces N --repeat K --out <dir> --json]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "@/lib/env/env";
import { createApiToken } from "@/lib/auth/tokens";
import { createDb } from "@/lib/db/client";
import type { TestDatabase } from "@/test/support/database";
import { startTestApp, type TestApp } from "@/test/support/app-server";
import { seedFreshDatabase } from "./support/review-seed";
import { machineInfo } from "./support/report";
import { latency } from "./support/review-report";

const USAGE = `npm run bench:browse -- [flags]

  --faces <n>     faces to seed (default 1000000)
  --repeat <n>    requests per filter (default 40)
  --deep <n>      pages to walk by cursor for the deep-page figure (default 50)
  --out <dir>     where to write browse-<date>.md and .json (default bench/results)
  --json          print one JSON object last
  --keep          keep the database`;

const TARGET_P95_MS = 100;

const pick = ({ p50, p95, max }: { p50: number; p95: number; max: number }) => ({ p50, p95, max });

interface Row {
  name: string;
  query: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
  items: number;
  total: string;
}

async function main() {
  const { values } = parseArgs({
    options: {
      faces: { type: "string", default: "1000000" },
      repeat: { type: "string", default: "40" },
      deep: { type: "string", default: "50" },
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
  const faces = Number(values.faces);
  const repeat = Number(values.repeat);
  const deep = Number(values.deep);
  let database: TestDatabase | null = null;
  let app: TestApp | null = null;
  try {
    const seeded = await seedFreshDatabase(faces);
    database = seeded.database;
    const { seed } = seeded;
    // An admin token: the browser's admin filters are what is measured.
    const db = createDb(database.url);
    const { token } = await createApiToken(db, seed.adminId, { name: "bench" });
    await db.$disconnect();
    app = await startTestApp({ databaseUrl: database.url, startupTimeoutMs: 180_000 });
    const get = async (q: string) => {
      const t = performance.now();
      const res = await fetch(`${app!.baseUrl}/api/faces?${q}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as {
        items?: unknown[];
        next_cursor?: string | null;
        total_estimate?: { count: number; exact: boolean };
        error?: { message: string };
      };
      if (res.status !== 200) throw new Error(`GET /api/faces?${q} → ${res.status} ${body.error?.message}`);
      return { ms: performance.now() - t, body };
    };
    const reviewer = seed.reviewerIds[0]!;
    const cases: [string, string][] = [
      ["everything, newest first", "limit=50"],
      ["open faces, most uncertain first", "state=open&sort=margin&limit=50"],
      ["agreed as happy, least confident first", "state=agreed&label=happy&sort=confidence&limit=50"],
      ["predicted sad, confidence ≤ 0.5", "predicted=sad&confidence_max=0.5&limit=50"],
      ["corrected by anyone", "verdict=incorrect&limit=50"],
      ["one reviewer's confirmations", `reviewer=${reviewer}&verdict=correct&limit=50`],
      ["disputed faces", "flag=disputed&limit=50"],
      ["in conflict, newest", "state=conflict&limit=50"],
      ["margin 0.2–0.3, most confident first", "margin_min=0.2&margin_max=0.3&sort=-confidence&limit=50"],
      ["a date range", "from=2026-01-01&to=2030-01-01&sort=oldest&limit=50"],
    ];
    for (let i = 0; i < 5; i++) await get(cases[i % cases.length]![1]); // warm-up
    const rows: Row[] = [];
    for (const [name, q] of cases) {
      const times: number[] = [];
      let last: Awaited<ReturnType<typeof get>>["body"] = {};
      for (let i = 0; i < repeat; i++) {
        const r = await get(q);
        times.push(r.ms);
        last = r.body;
      }
      const t = last.total_estimate;
      rows.push({
        name,
        query: q,
        n: times.length,
        ...pick(latency(times)),
        items: last.items?.length ?? 0,
        total: t ? `${t.exact ? "" : "≈"}${t.count.toLocaleString("en")}` : "-",
      });
    }
    // Deep pages: walk the cursor of a broad filter; each page is timed.
    for (const [name, q] of [
      ["pages 1…N by cursor, newest", "limit=50"],
      ["pages 1…N by cursor, predicted happy by -confidence", "predicted=happy&sort=-confidence&limit=50"],
    ] as const) {
      const times: number[] = [];
      let cursor: string | null | undefined = undefined;
      let items = 0;
      for (let i = 0; i < deep; i++) {
        const r = await get(q + (cursor ? `&cursor=${cursor}` : ""));
        times.push(r.ms);
        items += r.body.items?.length ?? 0;
        cursor = r.body.next_cursor;
        if (!cursor) break;
      }
      rows.push({
        name,
        query: q,
        n: times.length,
        ...pick(latency(times)),
        items,
        total: `${times.length} pages`,
      });
    }
    const machine = machineInfo();
    const load = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    const pg95 = Math.max(...rows.map((r) => r.p95));
    const lines = [
      `# Dataset browser at scale, measured — ${new Date().toISOString().slice(0, 10)}`,
      "",
      `- machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB.toFixed(0)} GiB RAM; load average at the end ${load}`,
      `- database: ${getEnv().TEST_DATABASE_URL ? "the server named by TEST_DATABASE_URL" : "embedded"}; ${faces.toLocaleString("en")} faces seeded as for bench:review (90 % reviewed, states and tally as the triggers keep them)`,
      `- each filter: ${repeat} sequential GET /api/faces requests through the app with an admin token (first page, 50 faces); deep: a cursor walk of up to ${deep} pages`,
      `- target: p95 of a filtered page < ${TARGET_P95_MS} ms → worst p95 ${pg95.toFixed(0)} ms: ${pg95 < TARGET_P95_MS ? "MET" : "NOT MET"}`,
      "",
      "| filter | query | requests | p50 ms | p95 ms | max ms | faces | total |",
      "|---|---|---|---|---|---|---|---|",
      ...rows.map(
        (r) =>
          `| ${r.name} | \`${r.query}\` | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(0)} | ${r.items} | ${r.total} |`,
      ),
      "",
    ];
    const table = lines.join("\n");
    console.log(table);
    fs.mkdirSync(values.out!, { recursive: true });
    const base = path.join(values.out!, `browse-${new Date().toISOString().slice(0, 10)}`);
    fs.writeFileSync(`${base}.md`, table);
    const result = { faces, repeat, machine, rows, worst_p95_ms: pg95, target_p95_ms: TARGET_P95_MS };
    fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + "\n");
    console.log(`wrote ${base}.md and .json`);
    if (values.json) console.log(JSON.stringify(result));
  } finally {
    await app?.stop();
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
