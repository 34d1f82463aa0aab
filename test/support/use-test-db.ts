import { afterAll, beforeAll, beforeEach } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/test/support/database";

const ALL_TABLES = `"VideoTrack", "Video", "Import", "TrainingJob", "Adjudication", "FaceScore", "FaceState", "QueueTally", "ReviewSettings", "Review", "Prediction", "Face", "Upload", "ModelVersion", "AuditLog", "ApiToken", "User", "SignInThrottle"`;

/**
 * For a database test file: a fresh migrated database for the file, two Prisma clients with their
 * own pools (two app processes, as far as the database can tell), and every table emptied before
 * each test.
 */
export function useTestDb(): { readonly db: Db; readonly other: Db; readonly url: string } {
  let tdb: TestDatabase | undefined;
  let db: Db | undefined;
  let other: Db | undefined;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb(tdb.url);
    other = createDb(tdb.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await other?.$disconnect();
    await tdb?.drop();
  });
  beforeEach(async () => {
    await db!.$executeRawUnsafe(`TRUNCATE ${ALL_TABLES} RESTART IDENTITY CASCADE`);
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("useTestDb(): the database is not ready outside tests");
    return v;
  };
  return {
    get db() {
      return ready(db);
    },
    get other() {
      return ready(other);
    },
    get url() {
      return ready(tdb).url;
    },
  };
}
