// Content files shared by two uploads: a photo stored twice with different bytes (a camera's copy
// with another comment) names the same image file. An upload that fails after writing such a file
// removes it; another upload that found the file there and stored rows naming it must not lose it.
// The file locks make the second upload wait until the first has failed and cleaned up.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { decodeUpload } from "@/lib/images/decode";
import type { LoadedModel } from "@/lib/model/predictor";
import type { ActiveModel } from "@/lib/registry/model-versions";
import { storeUploads } from "@/lib/uploads/process-upload";
import { useEnv } from "@/test/support/env";
import { useTestDb } from "@/test/support/use-test-db";
import { seedModelVersion, seedUser } from "@/test/support/seed";

const t = useTestDb();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "el-content-files-"));

useEnv({ FEEDBACK_IMAGES_DIR: dir });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("content files shared by two uploads", () => {
  it("a failing upload removes the file it wrote before the other can rely on it; the other writes it again", async () => {
    const user = await seedUser(t.db, "ann@example.test");
    const version = await seedModelVersion(t.db);
    // Photos without faces: no model runs (the version's rows are all storeUploads reads of it).
    const active = { version, model: {} as LoadedModel } as ActiveModel;
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#808080" } })
      .png()
      .toBuffer();
    const decoded = await decodeUpload(png);
    const first = { decoded: { ...decoded, sha256: "1".repeat(64) }, faces: [], isFaceCrop: false };
    const second = { decoded: { ...decoded, sha256: "2".repeat(64) }, faces: [], isFaceCrop: false };

    let written!: () => void;
    const fileWritten = new Promise<void>((resolve) => (written = resolve));
    let failNow!: () => void;
    const failing = new Promise<void>((resolve) => (failNow = resolve));
    const a = storeUploads(t.db, user.id, active, [first], {
      inTransaction: async () => {
        written();
        await failing;
        throw new Error("the first upload fails after writing its file");
      },
    });
    a.catch(() => {});
    await fileWritten;
    const files = fs.readdirSync(path.join(dir, "uploads"));
    expect(files).toHaveLength(1);

    // The second starts while the first holds the file: it waits for it.
    let secondDone = false;
    const b = storeUploads(t.other, user.id, active, [second]).finally(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(secondDone).toBe(false);

    failNow();
    await expect(a).rejects.toThrow("the first upload fails");
    const [stored] = await b;
    const row = await t.db.upload.findUniqueOrThrow({ where: { id: stored!.upload_id } });
    expect(row.sha256).toBe("2".repeat(64));
    // The file the second upload's row names is there.
    expect(fs.existsSync(path.join(dir, row.imagePath))).toBe(true);
    expect(await t.db.upload.count()).toBe(1);
  });
});
