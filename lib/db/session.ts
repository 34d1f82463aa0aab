/**
 * Connection options every connection of the app's own sets (the Prisma client's pool, migrations).
 * Times are stored as UTC wall-clock times (TIMESTAMP without a zone, read back as UTC), and the
 * database's own now() — column defaults, triggers, leases, a migration's backfill — writes them in
 * the session's zone, which is the server's unless set: an embedded database takes the computer's
 * zone when it is made, so outside UTC those times were read back hours off. (An `options` in the
 * connection string takes precedence over this one.)
 */
export const SESSION_OPTIONS = "-c TimeZone=UTC";
