import type { TrainingPreflight } from "../_components/api-types";
import { plural } from "../_components/format";
import { labelText } from "../_components/verdict-names";
import styles from "./start-job-form.module.css";

export type PreflightState =
  | { status: "idle" }
  | { status: "invalid" }
  | { status: "loading"; last: TrainingPreflight | null }
  | { status: "ready"; data: TrainingPreflight }
  | { status: "error"; message: string };

/** Why the job cannot succeed, in one sentence, or null when it can (as far as the pre-flight knows). */
export function blockedReason(pre: TrainingPreflight): string | null {
  if (pre.ready) return null;
  return `Too few labelled faces: ${pre.train} to train on (plus ${pre.holdout} held out), and this job needs at least ${pre.min_samples}. Review more faces or lower Minimum faces.`;
}

/** What the faces left out were, for the line under the table. */
function leftOut(pre: TrainingPreflight): string {
  const e = pre.excluded;
  const parts = [
    [e.ties, "tie"],
    [e.notAFace, "not a face", "not a face"],
    [e.unsure, "can't tell", "can't tell"],
    [e.byAdmin ?? 0, "excluded by an admin", "excluded by an admin"],
    [e.duplicateFaces, "duplicate face"],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, one, many]) => plural(n, one, many));
  return shown.length ? `Left out: ${shown.join(", ")}.` : "Nothing left out.";
}

/**
 * The pre-flight beside the form: per emotion, the labelled faces the job would train on and hold
 * out, the golden set it is judged on, and whether the minimum is met — for the parameters as typed.
 */
export function PreflightPanel({ state, headingId }: { state: PreflightState; headingId: string }) {
  const data = state.status === "ready" ? state.data : state.status === "loading" ? state.last : null;
  const blocked = data ? !data.ready : false;
  return (
    <section
      className={styles.preflight}
      aria-labelledby={headingId}
      aria-busy={state.status === "loading"}
      data-testid="preflight"
      data-status={state.status}
      data-ready={data ? String(data.ready) : ""}
    >
      <h3 id={headingId} className="small-heading">
        Pre-flight: what this job would train on now
      </h3>
      {state.status === "invalid" ? (
        <p className="muted small">Enter a valid minimum to see what the job would train on.</p>
      ) : state.status === "error" ? (
        <p className="form-error small" role="alert">
          Couldn’t check the faces: {state.message}
        </p>
      ) : !data ? (
        <p className="muted small status-line">
          <span className="spinner" aria-hidden="true" /> Counting labelled faces…
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table className={`table table-compact ${styles.preflightTable}`} data-testid="preflight-classes">
              <caption className="sr-only">Labelled faces per emotion</caption>
              <thead>
                <tr>
                  <th scope="col">Emotion</th>
                  <th scope="col" className="num">
                    To train on
                  </th>
                  <th scope="col" className="num">
                    Held out
                  </th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(data.classes).map(([label, c]) => (
                  <tr key={label}>
                    <th scope="row">{labelText(label)}</th>
                    <td className="num">{c.train}</td>
                    <td className="num">{c.holdout}</td>
                  </tr>
                ))}
                {Object.keys(data.classes).length === 0 ? (
                  <tr>
                    <td colSpan={3} className="muted">
                      No labelled faces yet.
                    </td>
                  </tr>
                ) : null}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">All</th>
                  <td className="num" data-testid="preflight-train">
                    {data.train}
                  </td>
                  <td className="num" data-testid="preflight-holdout">
                    {data.holdout}
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
          <p className="muted small">
            Held out: about a fifth of each emotion (chosen by hash), never trained on, scored to decide promotion; the
            job also scores the {plural(data.golden, "golden face")}. {leftOut(data)}
          </p>
          {blocked ? (
            <p className={`${styles.preflightVerdict} ${styles.isBlocked}`} data-testid="preflight-blocked">
              <strong>Cannot start:</strong> {plural(data.train, "face")} to train on, and this job needs at least{" "}
              {data.min_samples}.
            </p>
          ) : (
            <p className={styles.preflightVerdict} data-testid="preflight-ok">
              <strong>Ready:</strong> {plural(data.train, "face")} to train on, at least {data.min_samples} needed.
            </p>
          )}
          {state.status === "loading" ? <p className="muted small">Checking the new parameters…</p> : null}
        </>
      )}
    </section>
  );
}
