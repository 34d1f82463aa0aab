import type { Db } from "@/lib/db/client";
import { EMOTION_LABELS } from "@/lib/model/labels";

/** Rows for database tests: a model version, users, and faces with one prediction each. */
export async function seedModelVersion(db: Db, version = 1) {
  return db.modelVersion.create({
    data: {
      version,
      name: `v${version}`,
      status: "ACTIVE",
      artifactPath: `v${version}`,
      checksum: "0".repeat(64),
      labels: [...EMOTION_LABELS],
      metadata: { labels: [...EMOTION_LABELS], inputShape: [48, 48, 1], preprocessing: "unit" },
      activatedAt: new Date(),
    },
  });
}

export async function seedUser(db: Db, email: string, role: "REVIEWER" | "ADMIN" = "REVIEWER") {
  return db.user.create({ data: { email, passwordHash: "not-a-real-hash", role } });
}

/** `margins[i]` becomes the i-th prediction's top-1 minus top-2 probability. */
export async function seedPredictions(db: Db, opts: { userId: number; modelVersionId: number; margins: number[] }) {
  const upload = await db.upload.create({
    data: {
      userId: opts.userId,
      sha256: "a".repeat(64),
      format: "jpeg",
      bytes: 1000,
      width: 640,
      height: 480,
      imagePath: "uploads/seed.jpg",
    },
  });
  const predictions = [];
  for (const [i, margin] of opts.margins.entries()) {
    const face = await db.face.create({
      data: {
        uploadId: upload.id,
        position: i,
        boxX: 10 * i,
        boxY: 10,
        boxWidth: 50,
        boxHeight: 50,
        cropPath: `seed-${i}.png`,
        cropSha256: String(i).padStart(64, "0"),
      },
    });
    const top = (1 + margin) / 2;
    const second = top - margin;
    const probs = [top, second, ...Array(EMOTION_LABELS.length - 2).fill((1 - top - second) / 5)];
    predictions.push(
      await db.prediction.create({
        data: {
          faceId: face.id,
          modelVersionId: opts.modelVersionId,
          label: "angry",
          confidence: top,
          probabilities: probs,
          margin,
        },
      }),
    );
  }
  return { upload, predictions };
}
