import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/lib/db/client";
import type { ModelVersion, Prisma } from "@/lib/db/generated/prisma/client";
import { getEnv } from "@/lib/env/env";
import { AppError } from "@/lib/errors/app-error";
import { audit } from "@/lib/audit/audit";
import { checksumDir } from "@/lib/registry/checksum";
import { readModelMetadata } from "@/lib/model/metadata";
import { loadModelFromDir, type LoadedModel } from "@/lib/model/predictor";

/** artifactPath of versions imported from the previous tool's CSV: verdicts only, no model files. */
export const IMPORTED_ARTIFACT = "imported";

export interface ActiveModel {
  version: ModelVersion;
  model: LoadedModel;
}

/** Folder of a version's artifacts; `artifactPath` is stored relative to MODELS_DIR. */
export function artifactDir(version: Pick<ModelVersion, "artifactPath">): string {
  return path.resolve(getEnv().modelsDir, version.artifactPath);
}

/**
 * A folder name under `versions/` that nothing uses yet: `<stem>-<random>`. Folders are never named
 * by a database id alone, since another database on the same MODELS_DIR counts from 1 too.
 */
export async function unusedVersionFolder(stem: string): Promise<string> {
  for (;;) {
    const rel = path.join("versions", `${stem}-${crypto.randomBytes(3).toString("hex")}`);
    if (!fs.existsSync(path.join(getEnv().modelsDir, rel))) return rel;
  }
}

/**
 * Renames a finished folder into `versions/`. `rename` would silently replace an empty directory
 * of that name, so an existing target is refused: a version's folder is never overwritten. (Targets
 * carry a random suffix, so two writers never race for one name.)
 */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  await fsp.mkdir(path.dirname(to), { recursive: true });
  if (fs.existsSync(to)) throw new Error(`${to} already exists; a model version's folder is never overwritten.`);
  await fsp.rename(from, to);
}

/** Registers a model folder (relative to MODELS_DIR) as the next version number. */
export async function registerModelVersion(
  db: Db,
  input: {
    artifactPath: string;
    name: string;
    status: "ACTIVE" | "CANDIDATE";
    parentId?: number | null;
    actorId?: number | null;
  },
): Promise<ModelVersion> {
  const dir = path.resolve(getEnv().modelsDir, input.artifactPath);
  const metadata = await readModelMetadata(dir);
  const checksum = await checksumDir(dir);
  return db.$transaction(async (tx) => {
    const last = await tx.modelVersion.aggregate({ _max: { version: true } });
    const now = new Date();
    if (input.status === "ACTIVE") {
      await tx.modelVersion.updateMany({ where: { status: "ACTIVE" }, data: { status: "ARCHIVED" } });
    }
    const row = await tx.modelVersion.create({
      data: {
        version: (last._max.version ?? 0) + 1,
        name: input.name,
        status: input.status,
        artifactPath: input.artifactPath,
        checksum,
        labels: [...metadata.labels],
        metadata: metadata as unknown as Prisma.InputJsonValue,
        metrics: (metadata.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
        parentId: input.parentId ?? null,
        activatedAt: input.status === "ACTIVE" ? now : null,
        activatedById: input.status === "ACTIVE" ? (input.actorId ?? null) : null,
      },
    });
    await audit(tx, {
      actorId: input.actorId ?? null,
      action: "model.register",
      targetType: "model_version",
      targetId: row.id,
      details: { version: row.version, name: row.name, status: row.status, checksum },
    });
    return row;
  });
}

/** The shipped model's folder: BASELINE_DIR, else `<MODELS_DIR>/baseline` if it holds a model, else `./models/baseline`. */
export function shippedBaselineDir(): string {
  const env = getEnv();
  if (env.BASELINE_DIR) return path.resolve(env.BASELINE_DIR);
  const inModelsDir = path.join(env.modelsDir, "baseline");
  return fs.existsSync(path.join(inModelsDir, "model.json")) ? inModelsDir : path.resolve("models", "baseline");
}

/**
 * The shipped baseline joins the registry as an immutable copy under
 * `<MODELS_DIR>/versions/baseline-<checksum>/`: on a fresh install as version 1, active; when a newer
 * baseline ships later (a `git pull`), as a candidate an admin can promote. The folder itself may
 * change between releases; registered versions never do.
 */
export async function ensureBaselineRegistered(db: Db, log: (line: string) => void = () => {}) {
  const modelsDir = getEnv().modelsDir;
  const dir = shippedBaselineDir();
  // Versions imported from the previous tool's CSV have no artifacts and do not count.
  const registered = await db.modelVersion.count({ where: { artifactPath: { not: IMPORTED_ARTIFACT } } });
  if (!fs.existsSync(path.join(dir, "model.json"))) {
    if (registered === 0)
      log(`No model installed: ${dir}/model.json not found. Uploads are refused until an admin adds a model.`);
    return null;
  }
  const checksum = await checksumDir(dir);
  if (await db.modelVersion.findFirst({ where: { checksum } })) return null;
  // A folder of that name left by another database is reused only when it holds exactly this model.
  let artifactPath = path.join("versions", `baseline-${checksum.slice(0, 12)}`);
  if (
    fs.existsSync(path.join(modelsDir, artifactPath)) &&
    (await checksumDir(path.join(modelsDir, artifactPath))) !== checksum
  ) {
    artifactPath = await unusedVersionFolder(`baseline-${checksum.slice(0, 12)}`);
  }
  const target = path.join(modelsDir, artifactPath);
  if (!fs.existsSync(target)) {
    const tmp = path.join(modelsDir, ".tmp", `${path.basename(target)}-${crypto.randomBytes(4).toString("hex")}`);
    await fsp.mkdir(path.dirname(tmp), { recursive: true });
    await fsp.cp(dir, tmp, { recursive: true });
    await moveIntoPlace(tmp, target);
  }
  const status = registered === 0 ? "ACTIVE" : "CANDIDATE";
  const row = await registerModelVersion(db, { artifactPath, name: "baseline", status });
  log(`Registered the shipped baseline as model version ${row.version} (${status.toLowerCase()}).`);
  return row;
}

// Per-process cache of the loaded active model, on globalThis because Next.js may bundle this
// module into several server chunks. The ACTIVE row is re-read on each use (one indexed query),
// so an activation made by another process is picked up on the next request.
const cache = globalThis as unknown as {
  emotionLoopModel?: {
    current?: ActiveModel;
    loading?: { id: number; promise: Promise<ActiveModel> };
  };
};

export async function getActiveModel(db: Db): Promise<ActiveModel | null> {
  const row = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, orderBy: { activatedAt: "desc" } });
  if (!row) return null;
  const state = (cache.emotionLoopModel ??= {});
  if (state.current?.version.id === row.id) return state.current;
  if (state.loading?.id !== row.id) {
    const promise = loadVerified(row).then((model) => {
      const previous = state.current;
      const next = { version: row, model };
      state.current = next;
      // Requests already running on the previous model finish before it is freed.
      if (previous) setTimeout(() => previous.model.dispose(), 30_000).unref();
      return next;
    });
    state.loading = { id: row.id, promise };
    promise.catch(() => {
      if (state.loading?.promise === promise) state.loading = undefined;
    });
  }
  return state.loading.promise;
}

/** Requires an active model; a clear 503 otherwise. */
export async function requireActiveModel(db: Db): Promise<ActiveModel> {
  const active = await getActiveModel(db);
  if (!active) {
    throw new AppError(
      "model_unavailable",
      "No model is installed yet. An admin must add a model version before photos can be analysed.",
    );
  }
  return active;
}

/** Loads a version after checking its files still have the checksum recorded at registration. */
export async function loadVerified(version: ModelVersion): Promise<LoadedModel> {
  const dir = artifactDir(version);
  let actual: string;
  try {
    actual = await checksumDir(dir);
  } catch {
    throw new AppError(
      "model_unavailable",
      `Model version ${version.version}: its files are missing (${version.artifactPath}).`,
    );
  }
  if (actual !== version.checksum) {
    throw new AppError(
      "model_unavailable",
      `Model version ${version.version}: its files changed since registration (checksum mismatch); refusing to load it.`,
    );
  }
  return loadModelFromDir(dir);
}

export function summarizeVersion(v: ModelVersion | null | undefined) {
  return v ? { id: v.id, version: v.version, name: v.name } : null;
}

/**
 * Makes a version the active one: promotion of a candidate and rollback to an earlier version are
 * the same act. The files are verified first (a damaged version cannot be activated and the
 * active model stays as it is); the switch itself is one transaction, with the audit entry.
 * Other processes see the new ACTIVE row on their next request (see getActiveModel).
 */
export async function activateVersion(
  db: Db,
  input: {
    versionId: number;
    actorId: number | null;
    reason: string;
    action?: "activate" | "rollback" | "auto-promote";
  },
): Promise<ModelVersion> {
  const target = await db.modelVersion.findUnique({ where: { id: input.versionId } });
  if (!target) throw new AppError("not_found", `No model version ${input.versionId}.`);
  if (target.status === "FAILED") {
    throw new AppError("conflict", `Model version ${target.version} failed and cannot be activated.`);
  }
  if (target.status === "ACTIVE") throw new AppError("conflict", `Model version ${target.version} is already active.`);
  // loadVerified's messages already name the version.
  const model = await loadVerified(target).catch((err: unknown) => {
    throw new AppError("conflict", `Cannot activate: ${err instanceof Error ? err.message : String(err)}`);
  });
  model.dispose();
  return db.$transaction(async (tx) => {
    const previous = await tx.modelVersion.findFirst({ where: { status: "ACTIVE" } });
    await tx.modelVersion.updateMany({ where: { status: "ACTIVE" }, data: { status: "ARCHIVED" } });
    const { count } = await tx.modelVersion.updateMany({
      where: { id: target.id, status: { in: ["CANDIDATE", "ARCHIVED"] } },
      data: { status: "ACTIVE", activatedAt: new Date(), activatedById: input.actorId, statusReason: null },
    });
    if (count === 0)
      throw new AppError("conflict", `Model version ${target.version} changed status meanwhile; try again.`);
    const action = input.action ?? (previous && previous.version > target.version ? "rollback" : "activate");
    if (previous) {
      // So the replaced version's own history says when and why it stopped serving.
      await audit(tx, {
        actorId: input.actorId,
        action: "model.archive",
        targetType: "model_version",
        targetId: previous.id,
        details: { replacedBy: { id: target.id, version: target.version }, reason: input.reason },
      });
    }
    await audit(tx, {
      actorId: input.actorId,
      action: `model.${action}`,
      targetType: "model_version",
      targetId: target.id,
      details: {
        from: previous ? { id: previous.id, version: previous.version } : null,
        to: { id: target.id, version: target.version },
        reason: input.reason,
      },
    });
    return tx.modelVersion.findUniqueOrThrow({ where: { id: target.id } });
  });
}
