import { defineConfig } from "prisma/config";

// Used by the Prisma CLI only (`prisma generate`). Migrations are applied by lib/db/migrate.ts,
// and the app connects through @prisma/adapter-pg (lib/db/client.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
