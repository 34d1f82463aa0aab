// Generates the Prisma client (lib/db/generated). `prisma generate` needs no engine binary, but
// the CLI looks for a schema-engine file before it starts; any existing file satisfies that check,
// so it works where Prisma's binaries cannot be downloaded.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, "package.json");
const r = spawnSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "generate"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
