/**
 * `npm run model:import -- <path> [--labels a,b,c…] [--preprocess unit|symmetric] [--tta none|flip|flip-shift] [--resize bilinear|lanczos3] [--out <dir>] [--register]`
 *
 * Imports a Keras model without Python (training/import.ts). `--register` also adds it to the
 * app's registry as a CANDIDATE version (DATABASE_URL, or the embedded database: stop `npm start`
 * first), which an admin can then activate like any other.
 */
import path from "node:path";
import type { Db } from "@/lib/db/client";
import type { ModelVersion } from "@/lib/db/generated/prisma/client";
import { getEnv } from "@/lib/env/env";
import { allowNativeAccelerator } from "@/lib/tf/backend";
import { importWithAnswers, parseImportArgs } from "@/training/import";
import { parseImportOptions } from "@/training/keras-import/import-model";

async function main(): Promise<void> {
  const { register, ...args } = parseImportArgs(process.argv.slice(2));
  const options = parseImportOptions(args);
  // The default --out is inside MODELS_DIR; another one is refused before the (slow) import, not after.
  if (register && options.out) insideModelsDir(options.out);
  const result = await importWithAnswers(options);
  if (register) await registerWithDatabase(result.dir);
  // XNNPACK's pool would otherwise keep a finished CLI alive a little longer.
  process.exit(0);
}

/**
 * Adds an imported folder to the registry as a CANDIDATE. Registered versions live under
 * MODELS_DIR (the registry stores paths relative to it and checksums the files), so a folder
 * elsewhere is refused before anything is written.
 */
export async function registerImportedModel(db: Db, dir: string): Promise<ModelVersion> {
  const { registerModelVersion } = await import("@/lib/registry/model-versions");
  const artifactPath = insideModelsDir(dir);
  return registerModelVersion(db, {
    artifactPath,
    name: `import ${path.basename(dir).replace(/^import-/, "")}`,
    status: "CANDIDATE",
  });
}

/** `dir` relative to MODELS_DIR, with forward slashes; an error when it is not below it. */
function insideModelsDir(dir: string): string {
  const modelsDir = getEnv().modelsDir;
  const rel = path.relative(modelsDir, path.resolve(dir));
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new Error(
      `--register needs the model inside MODELS_DIR (${modelsDir}); ${dir} is not. Leave out --out, or point it below MODELS_DIR.`,
    );
  }
  return rel.split(path.sep).join("/");
}

/** The registry step of `--register`, on DATABASE_URL or the embedded database. */
async function registerWithDatabase(dir: string): Promise<void> {
  const { prepareDatabase } = await import("@/scripts/support/prepare-database");
  const { createDb } = await import("@/lib/db/client");
  const database = await prepareDatabase({ log: (line) => console.log(line) });
  const db = createDb(database.url);
  try {
    const v = await registerImportedModel(db, dir);
    console.log(
      `Registered as version ${v.version} (candidate, id ${v.id}): activate it on the Models page or with POST /api/models/${v.id}/activate.`,
    );
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Importing never detects faces, so the native accelerator's tfjs may build the model.
  allowNativeAccelerator();
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
