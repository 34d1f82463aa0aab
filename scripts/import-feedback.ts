/**
 * `npm run import:feedback -- <feedback_log.csv> <feedback_images dir> [--user <email>]`: imports
 * the previous tool's verdicts (see lib/feedback-io/import-feedback.ts). Uses DATABASE_URL, or the
 * embedded database when it is unset (stop `npm start` first: the embedded database has one owner).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDb } from "@/lib/db/client";
import { prepareDatabase } from "@/scripts/support/prepare-database";
import { importFeedback, readFeedbackCsv } from "@/lib/feedback-io/import-feedback";

const USAGE = "usage: npm run import:feedback -- <feedback_log.csv> <feedback_images dir> [--user <email>]";

export function parseImportArgs(argv: string[]): { csvPath: string; imagesDir: string; userEmail?: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { user: { type: "string" } }, allowPositionals: true });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  const { positionals, values } = parsed;
  const [csvPath, imagesDir, ...extra] = positionals;
  if (!csvPath || !imagesDir || extra.length > 0) throw new Error(USAGE);
  return { csvPath, imagesDir, userEmail: values.user };
}

export async function main(argv: string[]): Promise<void> {
  const args = parseImportArgs(argv);
  // A wrong file is refused before the database is started or migrated.
  await readFeedbackCsv(args.csvPath);
  const log = (line: string) => console.log(line);
  const database = await prepareDatabase({ log });
  const db = createDb(database.url);
  try {
    await importFeedback(db, { ...args, log });
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`import:feedback: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
