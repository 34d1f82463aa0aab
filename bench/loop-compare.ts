// Compares bench:loop runs made by separate invocations (another day, another machine's seed): reads
// their per-run JSON files and writes the same comparison a multi-run invocation writes.
// Run: npm run bench:loop:compare -- bench/results/loop-*-seed1.json /tmp/x/loop-*-seed2.json [--out <stem>]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { formatOrdersTable, ordersResult, renderOrdersMarkdown, type LoopResult } from "./support/report";

function main(): void {
  const { values, positionals } = parseArgs({
    options: { out: { type: "string" }, help: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help || positionals.length === 0) {
    console.log("npm run bench:loop:compare -- <loop-…-<order>-seed<n>.json …> [--out <path stem>]");
    process.exit(values.help ? 0 : 2);
  }
  const results = positionals.map((file) => {
    const r = JSON.parse(fs.readFileSync(file, "utf8")) as LoopResult;
    if (!r.order || !Array.isArray(r.rows)) throw new Error(`${file} is not a bench:loop result with an order`);
    return r;
  });
  const backends = [...new Set(results.map((r) => r.backend.app ?? "unknown"))];
  const date = results.map((r) => r.date).sort()[0]!;
  const stem =
    values.out ??
    path.join(
      path.dirname(positionals[0]!),
      `loop-orders-${date.slice(0, 10)}-${backends.join("+").replace(/[^a-z0-9_+-]/gi, "_")}`,
    );
  const comparison = ordersResult(
    date,
    results,
    positionals.map((f) => path.basename(f, ".json") + ".md"),
  );
  fs.writeFileSync(`${stem}.md`, renderOrdersMarkdown(comparison));
  fs.writeFileSync(`${stem}.json`, JSON.stringify(comparison, null, 2) + "\n");
  console.log(formatOrdersTable(comparison.summary));
  console.log(`wrote ${stem}.md and ${stem}.json`);
}

main();
