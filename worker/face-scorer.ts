import "server-only";
import type { Db } from "@/lib/db/client";
import { getActiveModel } from "@/lib/registry/model-versions";
import { lineageTrainedCrops, scoreFacesStep } from "@/lib/review/face-scores";

/** How long the scorer rests when there is nothing to do, or while the worker is busy with other work. */
const IDLE_MS = 10_000;

/**
 * Keeps the noise flags judged by the active model: in the background of a worker, whenever it is
 * not busy (`busy`: a training run or a video analysis under way), it takes the faces with a
 * consensus whose flags were judged for another version, a batch at a time
 * (lib/review/face-scores.ts), until none is left; after a promotion or a rollback it goes through
 * them again. Two workers may score the same faces at once: the first
 * score stored stands, the second is wasted work only.
 */
export function startFaceScorer(db: Db, opts: { busy: () => boolean; idleMs?: number }): { stop(): Promise<void> } {
  const idleMs = opts.idleMs ?? IDLE_MS;
  let stopped = false;
  let wake = null as (() => void) | null;
  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  let lineage = null as { versionId: number; crops: Set<string> } | null;
  const fresh = (versionId: number) => ({ versionId, faces: 0, scored: 0, trained: 0, unreadable: 0, started: 0 });
  let run = fresh(0);

  const loop = (async () => {
    while (!stopped) {
      try {
        if (opts.busy()) {
          await rest(idleMs);
          continue;
        }
        // The active version's row only: its model is loaded when a face needs scoring.
        const active = await db.modelVersion.findFirst({
          where: { status: "ACTIVE" },
          orderBy: { activatedAt: "desc" },
          select: { id: true, version: true },
        });
        if (!active) {
          await rest(idleMs);
          continue;
        }
        const versionId = active.id;
        if (lineage?.versionId !== versionId) lineage = { versionId, crops: await lineageTrainedCrops(db, versionId) };
        if (run.versionId !== versionId) run = fresh(versionId);
        if (run.faces === 0) run.started = performance.now();
        const step = await scoreFacesStep(
          db,
          {
            versionId,
            model: async () => {
              const loaded = await getActiveModel(db);
              // Promoted or rolled back since the step began: nothing is stored, the next step starts afresh.
              if (loaded?.version.id !== versionId) throw new Error("the active version changed during a step");
              return loaded.model;
            },
          },
          lineage.crops,
        );
        if (step.faces > 0) {
          run.faces += step.faces;
          run.scored += step.scored;
          run.trained += step.trained;
          run.unreadable += step.unreadable;
          continue;
        }
        if (run.faces > 0) {
          console.log(
            `[face scorer] flags judged by version ${active.version} on ${run.faces} face(s): ` +
              `${run.scored} scored, ${run.trained} trained on (held-out prediction kept), ${run.unreadable} unreadable, ` +
              `in ${((performance.now() - run.started) / 1000).toFixed(1)} s`,
          );
          run = fresh(versionId);
        }
        await rest(idleMs);
      } catch (err) {
        console.error(`[face scorer] ${err instanceof Error ? err.message : String(err)}`);
        await rest(idleMs);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
