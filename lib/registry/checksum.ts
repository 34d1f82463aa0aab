import fs from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";

/**
 * SHA-256 over every file of a model version folder (names and contents, sorted by name), so a
 * changed, missing or extra weight shard changes the checksum.
 */
export async function checksumDir(dir: string): Promise<string> {
  const files = (await listFiles(dir)).sort();
  if (files.length === 0) throw new Error(`model folder ${dir} is empty`);
  const outer = crypto.createHash("sha256");
  for (const rel of files) {
    const inner = crypto
      .createHash("sha256")
      .update(await fs.readFile(path.join(dir, rel)))
      .digest("hex");
    outer.update(`${rel}\0${inner}\n`);
  }
  return outer.digest("hex");
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}
