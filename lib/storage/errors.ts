/**
 * File-system error codes that mean "the storage cannot take this write": full (ENOSPC, EDQUOT),
 * read-only (EROFS), refused (EACCES, EPERM), or a folder that is not a folder (ENOTDIR, and
 * EEXIST from a recursive mkdir over a regular file). Not the caller's fault, and not a bug: 507.
 */
const STORAGE_FAILURE_CODES = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "ENOTDIR"]);

export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && STORAGE_FAILURE_CODES.has(code);
}
