import "server-only";
import fs from "node:fs/promises";
import path from "node:path";

export type ImageLocation =
  | { status: "found"; path: string }
  | { status: "missing" }
  /** Every reading of the path leads out of the images folder (`..`, another absolute path, a symlink). */
  | { status: "outside" };

/**
 * Finds a CSV row's image, never outside `imagesDir`. The previous tool wrote `image_path` as an
 * absolute path, or relative to its working folder (usually the CSV's folder), or relative to the
 * images folder; each reading is tried in that order, and one that leaves the images folder is
 * never opened. Both folders must be real paths (`fs.realpath`), so that the final check on the
 * file's own real path also catches a symlink inside the folder that points elsewhere.
 */
export async function locateImage(raw: string, dirs: { csvDir: string; imagesDir: string }): Promise<ImageLocation> {
  // A log written on Windows has backslashes; on POSIX they would be part of one file name.
  const p = path.sep === "/" ? raw.replace(/\\/g, "/") : raw;
  const readings = path.isAbsolute(p)
    ? [path.resolve(p)]
    : [path.resolve(dirs.csvDir, p), path.resolve(dirs.imagesDir, p)];
  const inside = readings.filter((r) => isInside(r, dirs.imagesDir));
  if (inside.length === 0) return { status: "outside" };
  let escaped = false;
  for (const candidate of inside) {
    const real = await fs.realpath(candidate).catch(() => null);
    if (!real) continue;
    if (!isInside(real, dirs.imagesDir)) {
      escaped = true;
      continue;
    }
    const stat = await fs.stat(real);
    if (stat.isFile()) return { status: "found", path: real };
  }
  return escaped ? { status: "outside" } : { status: "missing" };
}

function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
