import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/prisma/client";
import { getEnv } from "@/lib/env/env";
import { feedbackPath } from "@/lib/storage/files";
import { checksumDir } from "@/lib/registry/checksum";
import {
  activateVersion,
  artifactDir,
  loadVerified,
  moveIntoPlace,
  registerModelVersion,
  unusedVersionFolder,
} from "@/lib/registry/model-versions";
import { loadModelFromDir, type LoadedModel } from "@/lib/model/predictor";
import { readModelMetadata } from "@/lib/model/metadata";
import type { SnapshotItem } from "@/lib/dataset/snapshot";
import { freezeSnapshot } from "@/lib/dataset/freeze-snapshot";
import { decidePromotion, type SetScore } from "@/worker/gate";
import { finishJob } from "@/lib/jobs/finish-job";
import { appendLog } from "@/lib/jobs/job-log";
import { storedTrainingParams } from "@/worker/params";
import { assembleTrainingSet, replayDataOf, sampleReplay } from "@/worker/training-set";
import { fineTune, type LabeledImage } from "@/training/fine-tune";
import { computeMetrics, type EvalMetrics } from "@/training/metrics";
import { countAgreement } from "@/lib/stats/mcnemar";

const HEARTBEAT_MS = 2_000;
const PROGRESS_MS = 1_000;

/** Thrown inside a run to end it as FAILED with a message meant for the admin. */
class JobFailure extends Error {}

/**
 * Runs one queued training job to its end: freeze the dataset, fine-tune the base version, write
 * the candidate as a new immutable version, evaluate it beside the active one on the held-out
 * slice and the golden set, and promote it if the gate says so. Whatever happens, the job ends
 * SUCCEEDED, CANCELLED or FAILED with the reason, and the active model changes only by promotion.
 */
export async function runTrainingJob(db: Db, jobId: number, workerId: string): Promise<void> {
  const now = new Date();
  const claimed = await db.trainingJob.updateMany({
    where: { id: jobId, status: "QUEUED" },
    data: { status: "RUNNING", startedAt: now, heartbeatAt: now, workerId },
  });
  if (claimed.count === 0) return; // cancelled before it started, or another worker has it
  await appendLog(db, jobId, `started on worker ${workerId}`);

  let cancelRequested = false;
  let heartbeatError: string | null = null;
  const heartbeat = setInterval(() => {
    db.trainingJob
      .update({ where: { id: jobId }, data: { heartbeatAt: new Date() }, select: { cancelRequestedAt: true } })
      .then((j) => {
        heartbeatError = null;
        if (j.cancelRequestedAt) cancelRequested = true;
      })
      .catch((err: unknown) => {
        heartbeatError = err instanceof Error ? err.message : String(err);
      });
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const tmpDir = path.join(getEnv().modelsDir, ".tmp", `job-${jobId}-${crypto.randomBytes(4).toString("hex")}`);
  try {
    const job = await db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
    const stored = storedTrainingParams(job.params);
    if (!stored.success) throw stored.error;
    const params = stored.data;
    const base = job.baseVersionId
      ? await db.modelVersion.findUniqueOrThrow({ where: { id: job.baseVersionId } })
      : await db.modelVersion.findFirst({ where: { status: "ACTIVE" } });
    if (!base) throw new JobFailure("There is no base model version to fine-tune.");
    if ((await checksumDir(artifactDir(base)).catch(() => null)) !== base.checksum) {
      throw new JobFailure(`The files of base version ${base.version} are missing or damaged.`);
    }

    // Freeze the dataset before anything else, so later verdicts cannot change this run.
    const snapshot = await freezeSnapshot(db, jobId, { aggregation: params.label_aggregation });
    const trainItems = snapshot.items.filter((i) => !i.holdout);
    const holdout = snapshot.items.filter((i) => i.holdout);
    await appendLog(
      db,
      jobId,
      `snapshot ${snapshot.hash.slice(0, 12)}: ${trainItems.length} to train, ${holdout.length} held out, ` +
        `${snapshot.golden.length} golden; labels by ${snapshot.aggregation}; left out ${snapshot.excluded.ties} ties, ` +
        `${snapshot.excluded.notAFace} not a face, ${snapshot.excluded.unsure} can't tell, ` +
        `${snapshot.excluded.byAdmin ?? 0} excluded by an admin, ${snapshot.excluded.duplicateFaces} duplicate faces`,
    );
    if (trainItems.length < params.min_samples) {
      throw new JobFailure(
        `Too few reviewed faces: the snapshot has ${trainItems.length} to train on (plus ${holdout.length} held out); this job needs at least ${params.min_samples}.`,
      );
    }

    const baseMeta = await readModelMetadata(artifactDir(base));
    const replayData = replayDataOf(baseMeta);
    const replay = replayData
      ? await sampleReplay(path.resolve(replayData), baseMeta.labels, getEnv().REPLAY_PER_CLASS, jobId)
      : [];
    if (replay.length) await appendLog(db, jobId, `replay: ${replay.length} faces from the base model's training data`);
    const { train: trainSet, validation, sizes } = assembleTrainingSet(await readItems(trainItems), replay);
    await db.trainingJob.update({
      where: { id: jobId },
      data: { trainingSet: sizes as unknown as Prisma.InputJsonValue },
    });

    let lastProgress = 0;
    const curves: Prisma.InputJsonValue[] = [];
    const result = await fineTune({
      baseDir: artifactDir(base),
      outDir: tmpDir,
      train: trainSet,
      validation,
      epochs: params.epochs,
      learningRate: params.learning_rate,
      batchSize: params.batch_size,
      strategy: params.strategy,
      classWeights: params.class_weights,
      distillWeight: params.distill_weight,
      distillTemperature: params.distill_temperature,
      seed: jobId,
      metadata: {
        name: `job ${jobId}`,
        parent: base.artifactPath,
        dataFingerprint: snapshot.hash,
        // replayData passes the lineage's original training data on, so a candidate fine-tuned from
        // a fine-tuned version still replays it.
        trainingConfig: {
          jobId,
          baseVersion: base.version,
          snapshotHash: snapshot.hash,
          replay: replay.length,
          replayData,
        },
      },
      shouldStop: () => cancelRequested,
      onProgress: async (p) => {
        if (heartbeatError) throw new Error(`Lost the database: ${heartbeatError}`);
        if (Date.now() - lastProgress < PROGRESS_MS && p.batch < p.batches) return;
        lastProgress = Date.now();
        const row = await db.trainingJob.update({
          where: { id: jobId },
          data: { progress: p as unknown as Prisma.InputJsonValue, heartbeatAt: new Date() },
          select: { cancelRequestedAt: true },
        });
        if (row.cancelRequestedAt) cancelRequested = true;
      },
      onEpoch: async (e) => {
        curves.push(e as unknown as Prisma.InputJsonValue);
        await db.trainingJob.update({ where: { id: jobId }, data: { curves } });
        await appendLog(
          db,
          jobId,
          `epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${(e.acc * 100).toFixed(1)}%` +
            (e.valLoss !== null
              ? ` val_loss ${e.valLoss.toFixed(4)} val_acc ${((e.valAcc ?? 0) * 100).toFixed(1)}%`
              : ""),
        );
      },
    });
    if (result.stopped) {
      await finishJob(db, jobId, "CANCELLED");
      return;
    }

    // Judge candidate and active on the same held-out slice and golden set.
    const candidate = await loadModelFromDir(tmpDir);
    const active = await db.modelVersion.findFirst({ where: { status: "ACTIVE" } });
    const activeModel = active ? await loadVerified(active) : null;
    let scores: { candidate: VersionScores; active: VersionScores | null };
    try {
      scores = {
        candidate: await scoreVersion(candidate, holdout, snapshot.golden),
        active: activeModel ? await scoreVersion(activeModel, holdout, snapshot.golden) : null,
      };
    } finally {
      candidate.dispose();
      activeModel?.dispose();
    }

    // Immutable from here: the folder is renamed into place and checksummed at registration.
    const finalRel = await unusedVersionFolder(`job-${jobId}`);
    await moveIntoPlace(tmpDir, path.join(getEnv().modelsDir, finalRel));
    const version = await registerModelVersion(db, {
      artifactPath: finalRel,
      name: `job ${jobId}`,
      status: "CANDIDATE",
      parentId: base.id,
    });
    const metrics = {
      holdout: scores.candidate.holdout,
      golden: scores.candidate.golden,
      active_version: active?.version ?? null,
      active_holdout: scores.active?.holdout ?? null,
      active_golden: scores.active?.golden ?? null,
      // Face by face, which of the two got each right: what an exact paired test of the two needs.
      agreement: scores.active
        ? {
            holdout: countAgreement(scores.candidate.holdoutHits, scores.active.holdoutHits),
            golden: scores.candidate.goldenHits.length
              ? countAgreement(scores.candidate.goldenHits, scores.active.goldenHits)
              : null,
          }
        : null,
      snapshot: {
        hash: snapshot.hash,
        train: trainItems.length,
        holdout: holdout.length,
        golden: snapshot.golden.length,
        replay: replay.length,
      },
      training: { epochs: result.epochs, durationSeconds: result.durationSeconds, backend: result.metadata.backend },
    };
    await db.modelVersion.update({
      where: { id: version.id },
      data: { metrics: metrics as unknown as Prisma.InputJsonValue },
    });

    const env = getEnv();
    const decision = scores.active
      ? decidePromotion({
          candidate: {
            holdout: setScore(scores.candidate.holdout),
            golden: scores.candidate.golden ? setScore(scores.candidate.golden) : null,
          },
          active: {
            holdout: setScore(scores.active.holdout),
            golden: scores.active.golden ? setScore(scores.active.golden) : null,
          },
          goldenTolerance: env.PROMOTION_GOLDEN_TOLERANCE,
          autoPromote: env.PROMOTION_AUTO,
        })
      : { promote: env.PROMOTION_AUTO, reason: "There was no active version to compare with." };
    await appendLog(db, jobId, `gate: ${decision.promote ? "promote" : "keep as candidate"}: ${decision.reason}`);
    if (decision.promote) {
      await activateVersion(db, {
        versionId: version.id,
        actorId: null,
        reason: decision.reason,
        action: "auto-promote",
      });
    } else {
      await db.modelVersion.update({ where: { id: version.id }, data: { statusReason: decision.reason } });
    }
    await finishJob(db, jobId, "SUCCEEDED", { candidateVersionId: version.id, decision: { ...decision } });
  } catch (err) {
    const message =
      err instanceof JobFailure ? err.message : `Training failed: ${err instanceof Error ? err.message : String(err)}`;
    if (!(err instanceof JobFailure)) console.error(`[worker] job ${jobId}`, err);
    await finishJob(db, jobId, "FAILED", { error: message }).catch((e: unknown) => {
      // The database itself is gone: the stale-job sweep will end this job once it is back.
      console.error(`[worker] could not record the failure of job ${jobId}:`, e instanceof Error ? e.message : e);
    });
  } finally {
    clearInterval(heartbeat);
    await fs.rm(tmpDir, { recursive: true, force: true }).catch(() => {});
  }
}

interface VersionScores {
  holdout: EvalMetrics;
  golden: EvalMetrics | null;
  /** Per face of the held-out slice and of the golden set, in their order: right or not. */
  holdoutHits: boolean[];
  goldenHits: boolean[];
}

function setScore(m: EvalMetrics): SetScore {
  return { n: m.n, accuracy: m.accuracy, macroF1: m.macro_f1 };
}

async function scoreVersion(
  model: LoadedModel,
  holdout: SnapshotItem[],
  golden: SnapshotItem[],
): Promise<VersionScores> {
  const h = await evaluateItems(model, holdout);
  const g = golden.length ? await evaluateItems(model, golden) : null;
  return { holdout: h.metrics, golden: g?.metrics ?? null, holdoutHits: h.hits, goldenHits: g?.hits ?? [] };
}

/**
 * Scores a model on snapshot items. `hits` says, per item in order, whether its top label was right;
 * an item whose label the model lacks counts as wrong, so two models' hits line up face by face.
 */
export async function evaluateItems(
  model: LoadedModel,
  items: SnapshotItem[],
): Promise<{ metrics: EvalMetrics; hits: boolean[] }> {
  const labels = model.metadata.labels;
  const index = new Map(labels.map((l, i) => [l.toLowerCase(), i]));
  const kept = items.filter((i) => index.has(i.label.toLowerCase()));
  const images = await Promise.all(kept.map((i) => fs.readFile(feedbackPath(i.cropPath))));
  const probs = images.length ? await model.predictImages(images) : [];
  const truth = kept.map((i) => index.get(i.label.toLowerCase())!);
  const right = new Map(kept.map((item, k) => [item, topIndex(probs[k]!) === truth[k]]));
  return { metrics: computeMetrics(labels, truth, probs), hits: items.map((i) => right.get(i) ?? false) };
}

/** The index of the largest probability (the first on a tie, as computeMetrics takes it). */
function topIndex(p: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < p.length; j++) if ((p[j] ?? 0) > (p[best] ?? 0)) best = j;
  return best;
}

async function readItems(items: SnapshotItem[]): Promise<LabeledImage[]> {
  return Promise.all(items.map(async (i) => ({ image: await fs.readFile(feedbackPath(i.cropPath)), label: i.label })));
}
