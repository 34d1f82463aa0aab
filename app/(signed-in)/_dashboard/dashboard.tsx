"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import type { DashboardStats, GoldenVersion } from "../_components/api-types";
import { ConfusionMatrix } from "../_components/confusion-matrix";
import { formatAccuracy, plural } from "../_components/format";
import { isTextEntry } from "../_components/keyboard";
import { useApiData } from "../_components/use-api-data";
import { labelText } from "../_components/verdict-names";
import { formatInterval, GoldenChart } from "./golden-chart";
import { LabelsChart } from "./labels-chart";
import { QueueChart } from "./queue-chart";
import { VerdictsChart } from "./verdicts-chart";
import styles from "./dashboard.module.css";

interface Props {
  /** May see every reviewer's figures and curate the golden set. */
  admin: boolean;
}

/** Matrix column headings: three letters, as on the model and reviewer pages. */
const shortLabel = (label: string) => label.slice(0, 3);

/**
 * The home page: the way into the review queue first (one click, or R), then how the queue, the
 * reviewers, the labels and the models are doing over the last 30 days.
 */
export function Dashboard({ admin }: Props) {
  const { data, error, refresh } = useApiData<DashboardStats>("/api/stats");
  const router = useRouter();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== "r" || e.ctrlKey || e.metaKey || e.altKey || isTextEntry(e.target)) return;
      e.preventDefault();
      router.push("/review");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [router]);

  const remaining = data?.queue.remaining ?? null;
  return (
    <>
      <section className={`card ${styles.hero}`} aria-labelledby="dashboard-heading">
        <div>
          <h1 id="dashboard-heading">Dashboard</h1>
          <p className="muted">
            {remaining === null
              ? "Counting the faces waiting for review…"
              : remaining === 0
                ? "The review queue is empty: every face has the verdicts it needs."
                : `${plural(remaining, "face")} in the queue need ${plural(data!.queue.verdicts_needed, "verdict")}.`}
          </p>
        </div>
        <div className={styles.heroActions}>
          <Link href="/review" className="btn btn-primary btn-large" data-testid="start-review" aria-keyshortcuts="R">
            {remaining === null ? "Start reviewing" : `Review ${remaining.toLocaleString("en")} remaining`}
          </Link>
          <span className="muted small">
            or press <kbd>R</kbd>
          </span>
          {admin && data && data.queue.conflicts > 0 ? (
            <Link href="/adjudication" className="btn">
              Adjudicate {plural(data.queue.conflicts, "conflict")}
            </Link>
          ) : null}
        </div>
      </section>

      {error ? (
        <div className="notice notice-error" role="alert">
          <p>Couldn’t load the figures: {error}</p>
          <button type="button" className="btn btn-small" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      ) : null}
      {!data ? (
        error ? null : (
          <p className="muted status-line" aria-busy="true">
            <span className="spinner" aria-hidden="true" /> Loading the figures…
          </p>
        )
      ) : (
        <div className={styles.grid}>
          <QueueCard data={data} />
          <VerdictsCard data={data} admin={admin} />
          <GoldenCard data={data} admin={admin} />
          <ConfusionCard data={data} />
          <LabelsCard data={data} />
        </div>
      )}
    </>
  );
}

function Card({
  id,
  title,
  note,
  wide = false,
  children,
}: {
  id: string;
  title: string;
  note: string;
  /** Across both columns (the labels: nine categories side by side). */
  wide?: boolean;
  children: React.ReactNode;
}) {
  return (
    <section
      className={`card ${styles.panel}${wide ? ` ${styles.wide}` : ""}`}
      aria-labelledby={`${id}-heading`}
      data-testid={`${id}-card`}
    >
      <h2 id={`${id}-heading`}>{title}</h2>
      <p className="muted small">{note}</p>
      {children}
    </section>
  );
}

function Empty({ children }: { children: React.ReactNode }) {
  return (
    <p className={styles.empty} data-testid="empty">
      {children}
    </p>
  );
}

function QueueCard({ data }: { data: DashboardStats }) {
  const { queue, days } = data;
  const nothing = queue.remaining === 0 && queue.burn_down.every((n) => n === 0);
  return (
    <Card id="queue" title="Review queue" note="Faces waiting for verdicts at the end of each day (UTC), today: now.">
      <p className={styles.figure} data-testid="queue-remaining">
        {queue.remaining.toLocaleString("en")} <span>faces remaining</span>
      </p>
      {nothing ? (
        <Empty>
          No faces yet. <Link href="/upload">Upload photos</Link>: every face found joins the queue with the model’s
          prediction.
        </Empty>
      ) : (
        <QueueChart days={days} burnDown={queue.burn_down} />
      )}
    </Card>
  );
}

function VerdictsCard({ data, admin }: { data: DashboardStats; admin: boolean }) {
  const reviewers = data.verdicts.reviewers;
  const total = reviewers.reduce((a, r) => a + r.total, 0);
  return (
    <Card
      id="verdicts"
      title={data.scope === "everyone" ? "Verdicts per day" : "Your verdicts per day"}
      note={
        data.scope === "everyone"
          ? "Every verdict of the last 30 days, stacked by reviewer."
          : "Your verdicts of the last 30 days."
      }
    >
      <p className={styles.figure}>
        {total.toLocaleString("en")} <span>in 30 days</span>
      </p>
      {total === 0 ? (
        <Empty>
          {admin && data.scope === "everyone"
            ? "Nobody has given a verdict in the last 30 days. "
            : "You have given no verdict in the last 30 days. "}
          <Link href="/review">Start reviewing</Link>: each answer counts here.
        </Empty>
      ) : (
        <VerdictsChart days={data.days} reviewers={reviewers.filter((r) => r.total > 0)} />
      )}
    </Card>
  );
}

function LabelsCard({ data }: { data: DashboardStats }) {
  const { labels } = data;
  const decided = labels.consensus.reduce((a, b) => a + b, 0);
  const predicted = labels.predicted.reduce((a, b) => a + b, 0);
  return (
    <Card
      id="labels"
      wide
      title="Labels"
      note="Each label’s share among decided faces (their consensus) and among the active version’s predictions."
    >
      {decided === 0 && predicted === 0 ? (
        <Empty>
          No labels yet. <Link href="/upload">Upload photos</Link> for predictions, then{" "}
          <Link href="/review">review</Link> faces for a consensus.
        </Empty>
      ) : (
        <LabelsChart labels={labels} />
      )}
    </Card>
  );
}

function GoldenCard({ data, admin }: { data: DashboardStats; admin: boolean }) {
  const { golden } = data;
  const scored = golden.versions.filter((v) => v.n > 0);
  const shown: GoldenVersion | undefined = scored.find((v) => v.status === "ACTIVE") ?? scored[scored.length - 1];
  const few = scored.some((v) => v.n < golden.min_n);
  return (
    <Card
      id="golden"
      title="Golden-set accuracy"
      note="Each model version against the golden set’s fixed labels, oldest version first, with its 95 % interval."
    >
      {shown && shown.accuracy !== null ? (
        <p className={styles.figure} data-testid="golden-figure" data-n={shown.n} data-accuracy={shown.accuracy}>
          {formatAccuracy(shown.accuracy)}{" "}
          <span>
            version {shown.version}, {shown.correct} of {plural(shown.n, "golden face")} (95 %: {formatInterval(shown)})
          </span>
        </p>
      ) : null}
      {golden.size === 0 ? (
        <Empty>
          {admin ? (
            <>
              The golden set is empty. On <Link href="/dataset">Dataset</Link>, pick reviewed faces whose verdicts agree
              and choose <em>Add to golden set</em>: every version is then scored on them.
            </>
          ) : (
            "No golden set yet: admins choose reviewed faces for it, and every model version is scored on them."
          )}
        </Empty>
      ) : scored.length === 0 ? (
        <Empty>No model version has predicted a golden face yet.</Empty>
      ) : (
        <>
          {few ? (
            <p className={`notice notice-warning ${styles.warning}`} role="note" data-testid="golden-warning">
              <strong>Fewer than {golden.min_n} golden faces</strong> behind{" "}
              {scored.filter((v) => v.n < golden.min_n).length === scored.length ? "every version" : "some versions"}:
              the intervals are wide, so small differences between versions mean little.
              {admin ? (
                <>
                  {" "}
                  Add reviewed faces on <Link href="/dataset">Dataset</Link>.
                </>
              ) : null}
            </p>
          ) : null}
          <GoldenChart versions={golden.versions} minN={golden.min_n} />
        </>
      )}
    </Card>
  );
}

function ConfusionCard({ data }: { data: DashboardStats }) {
  const c = data.confusion;
  return (
    <Card
      id="confusion"
      title="Model against reviewers"
      note={
        c
          ? `Version ${c.model_version.version}’s prediction (columns) for each face reviewers labelled in the last 30 days (rows), controls aside; the diagonal is agreement.`
          : "The active version against reviewers’ labels of the last 30 days."
      }
    >
      {!c ? (
        <Empty>
          No model version is active. An admin activates one on <Link href="/models">Models</Link>.
        </Empty>
      ) : c.verdicts === 0 ? (
        <Empty>
          No verdict with an emotion in the last 30 days. <Link href="/review">Review faces</Link> to compare the model
          with people.
        </Empty>
      ) : (
        <>
          <ConfusionMatrix
            labels={c.labels}
            matrix={c.matrix}
            mode="counts"
            caption={`Version ${c.model_version.version} against ${plural(c.verdicts, "verdict")}`}
            axes={{ rows: "reviewers", columns: "model" }}
            labelName={labelText}
            shortLabel={shortLabel}
          />
          <p className="muted small">
            Agreement {formatAccuracy(c.matrix.reduce((a, row, i) => a + (row[i] ?? 0), 0) / c.verdicts)}
            {c.left_out
              ? `; ${plural(c.left_out, "verdict")} left out (not a face, can’t tell, or not predicted).`
              : "."}
          </p>
        </>
      )}
    </Card>
  );
}
