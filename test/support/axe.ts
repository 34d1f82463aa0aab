import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import type { AxeResults, ImpactValue, Result, RunOptions } from "axe-core";

/** The findings a browser test fails on; moderate and minor ones are printed but pass. */
const FAILING: readonly ImpactValue[] = ["serious", "critical"];

const AXE_SOURCE = path.resolve(__dirname, "../../node_modules/axe-core/axe.min.js");
let source: string | undefined;

export interface AxeFinding {
  rule: string;
  impact: ImpactValue | undefined;
  help: string;
  helpUrl: string;
  /** One line per element: its selector, the HTML it starts with and what is wrong with it. */
  nodes: string[];
}

export interface AxeCheck {
  /** Selectors whose subtrees are checked; the whole document by default. */
  include?: string[];
  /** Selectors whose subtrees are not checked (markup the app does not write, e.g. swagger-ui's). */
  exclude?: string[];
  /** Rule ids switched off for this check, each with its reason in the calling test. */
  disableRules?: string[];
}

function finding(r: Result): AxeFinding {
  return {
    rule: r.id,
    impact: r.impact,
    help: r.help,
    helpUrl: r.helpUrl,
    nodes: r.nodes.map((n) => {
      const html = n.html.length > 160 ? `${n.html.slice(0, 160)}…` : n.html;
      const why = (n.failureSummary ?? "").replace(/\s+/g, " ").trim();
      return `${n.target.join(" ")}  ${html}${why ? `\n      ${why}` : ""}`;
    }),
  };
}

/**
 * axe-core's WCAG 2.x A/AA and best-practice rules, run in the page as it is now (axe.min.js is put
 * into the page the first time). Returns every violation, most serious first.
 */
export async function axeViolations(page: Page, check: AxeCheck = {}): Promise<AxeFinding[]> {
  source ??= fs.readFileSync(AXE_SOURCE, "utf8");
  // Evaluated rather than added as a <script>: the pages' Content-Security-Policy allows only their own scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(`${source}\n;undefined`);
  const options: RunOptions = {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    resultTypes: ["violations"],
    rules: Object.fromEntries((check.disableRules ?? []).map((id) => [id, { enabled: false }])),
  };
  const context = {
    include: (check.include ?? ["html"]).map((s) => [s]),
    exclude: (check.exclude ?? []).map((s) => [s]),
  };
  const results = await page.evaluate(
    ([ctx, opts]) =>
      (window as unknown as { axe: { run(c: unknown, o: unknown): Promise<AxeResults> } }).axe.run(ctx, opts),
    [context, options] as const,
  );
  const rank = (i: ImpactValue | undefined) => ["critical", "serious", "moderate", "minor"].indexOf(i ?? "minor");
  return results.violations.map(finding).sort((a, b) => rank(a.impact) - rank(b.impact));
}

/** Findings as a block of text a failing test prints: rule, impact, help and every element. */
export function formatFindings(where: string, findings: readonly AxeFinding[]): string {
  if (findings.length === 0) return `${where}: no findings`;
  return [
    `${where}: ${findings.length} axe finding(s)`,
    ...findings.map(
      (f) =>
        `  [${f.impact ?? "?"}] ${f.rule}: ${f.help} (${f.helpUrl})\n${f.nodes.map((n) => `    - ${n}`).join("\n")}`,
    ),
  ].join("\n");
}

/**
 * Runs axe on the page and throws, listing them, when it finds anything serious or critical; lesser
 * findings are printed. `where` names the page and state in the message ("review, Incorrect form").
 */
export async function expectNoSeriousAxeFindings(page: Page, where: string, check?: AxeCheck): Promise<void> {
  const findings = await axeViolations(page, check);
  const failing = findings.filter((f) => FAILING.includes(f.impact ?? null));
  const rest = findings.filter((f) => !failing.includes(f));
  if (rest.length) console.warn(formatFindings(`${where} (not failing)`, rest));
  if (failing.length) throw new Error(formatFindings(where, failing));
}
