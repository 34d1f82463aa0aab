import { getEnv } from "@/lib/env/env";

/**
 * The database every process of the app talks to. The launcher (`npm start`, `npm run dev`)
 * starts the embedded database and passes its URL down when DATABASE_URL is unset.
 */
export function getDatabaseUrl(): string {
  const url = getEnv().DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Start the app with `npm start` or `npm run dev`, which run the " +
        "embedded database, or point DATABASE_URL at a Postgres server.",
    );
  }
  return url;
}
