/**
 * The byte range a `Range` header asks of a file of `size` bytes: one range (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`), enough for a <video> element to seek. Null: no header or one this does not serve
 * (several ranges, another unit) — answer the whole file. "unsatisfiable": a range outside the file (416).
 */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
