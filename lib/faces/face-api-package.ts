import "server-only";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

let found: { dir: string; version: string } | undefined;

/**
 * @vladmandic/face-api as installed: its folder and version. Resolved from the working directory
 * (like every other path in the app, see lib/env) because bundlers rewrite `import.meta.url` and
 * `__dirname`; its weights are read from disk, never fetched.
 */
export function faceApiPackage(): { dir: string; version: string } {
  if (!found) {
    const require = createRequire(path.join(process.cwd(), "package.json"));
    const manifest = require.resolve("@vladmandic/face-api/package.json");
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
    found = { dir: path.dirname(manifest), version };
  }
  return found;
}

/** The folder of the weights shipped in the package. */
export function faceApiModelDir(): string {
  return path.join(faceApiPackage().dir, "model");
}
