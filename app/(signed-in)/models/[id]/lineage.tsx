import Link from "next/link";
import { describeTestTimeAugmentation } from "@/lib/model/test-time-augmentation";
import type { ModelVersionRow } from "../../_components/api-types";
import { formatAccuracy, plural } from "../../_components/format";
import type { TrainedMetrics } from "../metrics";

export function Lineage({
  model,
  metrics,
  canSeeJobs,
}: {
  model: ModelVersionRow;
  metrics: TrainedMetrics | null;
  canSeeJobs: boolean;
}) {
  const snap = metrics?.snapshot ?? null;
  return (
    <section className="card" aria-labelledby="lineage-heading">
      <h2 id="lineage-heading">Lineage</h2>
      <dl className="facts">
        <div>
          <dt>Parent</dt>
          <dd>
            {model.parent_id !== null && model.parent_version !== null ? (
              <Link href={`/models/${model.parent_id}`}>Version {model.parent_version}</Link>
            ) : (
              <span className="muted">None — installed, not trained here</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Training job</dt>
          <dd>
            {model.job ? (
              canSeeJobs ? (
                <Link href={`/training/${model.job.id}`}>Job #{model.job.id}</Link>
              ) : (
                `Job #${model.job.id}`
              )
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Snapshot</dt>
          <dd>
            {snap || model.job?.snapshot_hash ? (
              <>
                <code title={snap?.hash ?? model.job?.snapshot_hash ?? undefined}>
                  {(snap?.hash ?? model.job?.snapshot_hash ?? "").slice(0, 12)}
                </code>
                {snap ? (
                  <span className="block small muted">
                    {snap.train} trained on · {snap.holdout} held out · {snap.golden} golden · {snap.replay} replayed
                  </span>
                ) : model.job?.snapshot_size != null ? (
                  <span className="block small muted">{plural(model.job.snapshot_size, "face")}</span>
                ) : null}
              </>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Checksum</dt>
          <dd>
            <code title={model.checksum}>{model.checksum.slice(0, 12)}</code>
          </dd>
        </div>
        <div>
          <dt>Classes</dt>
          <dd className="small">{model.labels.join(", ")}</dd>
        </div>
        <div>
          <dt>Prediction</dt>
          <dd className="small">{describeTestTimeAugmentation(model.test_time_augmentation)}</dd>
        </div>
        {metrics?.holdout ? (
          <div>
            <dt>Calibration</dt>
            <dd>
              ECE {formatAccuracy(metrics.holdout.ece)}{" "}
              <span className="muted small">on the held-out slice (lower is better)</span>
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
