"use client";

import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import Link from "next/link";
import { apiFetchBody, errorMessage } from "../../_components/api-client";
import { useApiData } from "../../_components/use-api-data";
import { StatusCell } from "../videos-workspace";
import { colourOf, formatSeconds, isActive, type VideoDetail, type VideoFrame } from "../video-types";
import styles from "../videos.module.css";

/** A video with its faces' boxes drawn over it in step with playback, each track's timeline, the summary and segments. */
export function VideoAnalysis({ id }: { id: number }) {
  const { data, error, refresh } = useApiData<VideoDetail>(`/api/videos/${id}`);
  const videoRef = useRef<HTMLVideoElement>(null);
  const [time, setTime] = useState(0);
  const active = data ? isActive(data.status) : false;

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void refresh(), 1500);
    return () => clearInterval(timer);
  }, [active, refresh]);

  // Follow playback frame by frame while playing; `timeupdate` alone comes only ~4 times a second.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let raf = 0;
    const tick = () => {
      setTime(video.currentTime);
      if (!video.paused && !video.ended) raf = requestAnimationFrame(tick);
    };
    const start = () => {
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(tick);
    };
    const once = () => setTime(video.currentTime);
    video.addEventListener("play", start);
    video.addEventListener("seeked", once);
    video.addEventListener("timeupdate", once);
    return () => {
      cancelAnimationFrame(raf);
      video.removeEventListener("play", start);
      video.removeEventListener("seeked", once);
      video.removeEventListener("timeupdate", once);
    };
  }, [data?.file_url]);

  const byIndex = useMemo(
    () =>
      (data?.tracks ?? []).map((track) => ({
        id: track.track_id,
        frames: new Map(track.frames.map((f) => [Math.round(f.t * data!.fps), f])),
      })),
    [data],
  );

  if (!data) {
    return error ? <p className="form-error">{error}</p> : <p className="muted">Loading…</p>;
  }

  const duration = data.duration_s ?? 0;
  const seek = (t: number) => {
    const video = videoRef.current;
    if (!video) return;
    video.currentTime = Math.max(0, Math.min(t, duration));
    setTime(video.currentTime);
  };
  // The sampled frame shown now: the last one at or before the current time.
  const k = Math.floor(time * data.fps + 1e-6);
  const current = byIndex.flatMap((t) => {
    const f = t.frames.get(k);
    return f ? [{ trackId: t.id, frame: f }] : [];
  });

  return (
    <div className="stack-lg">
      <div className="page-head">
        <Link href="/videos" className="back-link">
          ← Videos
        </Link>
        <h1>{data.name}</h1>
        <StatusCell video={data} />
        {active ? (
          <button
            type="button"
            className="btn btn-small btn-danger-outline"
            onClick={async () => {
              await apiFetchBody(`/api/videos/${id}/cancel`, { method: "POST", json: {} }).catch(() => null);
              void refresh();
            }}
          >
            Cancel analysis
          </button>
        ) : null}
      </div>

      <div className={styles.layout}>
        <div className="stack">
          {data.file_url ? (
            <div className={styles.player} data-testid="video-player">
              <video ref={videoRef} src={data.file_url} controls preload="metadata" muted playsInline />
              {data.width && data.height
                ? current.map(({ trackId, frame }) => (
                    <FaceBox key={trackId} trackId={trackId} frame={frame} width={data.width!} height={data.height!} />
                  ))
                : null}
            </div>
          ) : (
            <p className="muted">The video file is no longer stored.</p>
          )}

          <section className="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Emotion over time</h2>
            <Legend labels={data.labels} />
            {data.status === "done" && data.tracks.length === 0 ? (
              <p className="muted">{data.message ?? "No faces were found."}</p>
            ) : null}
            <div className={styles.timelines} data-testid="timelines">
              {data.tracks.map((track) => (
                <TrackTimeline
                  key={track.track_id}
                  videoId={id}
                  trackId={track.track_id}
                  frames={track.frames}
                  sentToReview={track.sent_to_review}
                  fps={data.fps}
                  duration={duration}
                  time={time}
                  onSeek={seek}
                  onSent={() => void refresh()}
                />
              ))}
            </div>
          </section>
        </div>

        <aside className="stack">
          <section className="card" aria-labelledby="summary-heading">
            <h2 id="summary-heading">Face-time</h2>
            <p className="muted small">Each emotion’s share of the time faces were seen.</p>
            {data.labels.map((label) => (
              <div key={label} className={styles.shareRow}>
                <span>{label}</span>
                <span
                  className={styles.shareBar}
                  style={{ width: `${(data.summary[label] ?? 0) * 100}%`, background: colourOf(label) }}
                />
                <span className="num">{((data.summary[label] ?? 0) * 100).toFixed(1)} %</span>
              </div>
            ))}
          </section>
          <section className="card" aria-labelledby="segments-heading">
            <h2 id="segments-heading">Segments</h2>
            {data.target_emotions.length === 0 ? (
              <p className="muted small">No emotions were chosen to look for.</p>
            ) : data.segments.length === 0 ? (
              <p className="muted small">
                {data.status === "done" ? `No stretch where ${data.target_emotions.join(" or ")} leads.` : "—"}
              </p>
            ) : (
              <div className={styles.segments}>
                <table className="table table-compact" data-testid="segments">
                  <thead>
                    <tr>
                      <th>Track</th>
                      <th>Emotion</th>
                      <th>From – to</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.segments.map((s) => (
                      <tr key={`${s.track_id}-${s.emotion}-${s.start_s}`}>
                        <td>{s.track_id}</td>
                        <td>
                          <span className={styles.swatch} style={{ background: colourOf(s.emotion) }} />
                          {s.emotion}
                        </td>
                        <td>
                          <button type="button" className="btn btn-ghost btn-small" onClick={() => seek(s.start_s)}>
                            {formatSeconds(s.start_s)} – {formatSeconds(s.end_s)}
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}

function FaceBox({
  trackId,
  frame,
  width,
  height,
}: {
  trackId: number;
  frame: VideoFrame;
  width: number;
  height: number;
}) {
  const colour = colourOf(frame.label);
  return (
    <div
      className={styles.box}
      data-testid="face-box"
      style={{
        left: `${(frame.box.x / width) * 100}%`,
        top: `${(frame.box.y / height) * 100}%`,
        width: `${(frame.box.width / width) * 100}%`,
        height: `${(frame.box.height / height) * 100}%`,
        borderColor: colour,
      }}
    >
      <span className={styles.boxLabel} style={{ background: colour }}>
        {trackId}: {frame.label} {Math.round(frame.confidence * 100)} %
      </span>
    </div>
  );
}

function Legend({ labels }: { labels: string[] }) {
  return (
    <div className={styles.legend} aria-hidden="true">
      {labels.map((l) => (
        <span key={l}>
          <span className={styles.swatch} style={{ background: colourOf(l) }} />
          {l}
        </span>
      ))}
    </div>
  );
}

function TrackTimeline(props: {
  videoId: number;
  trackId: number;
  frames: VideoFrame[];
  sentToReview: number;
  fps: number;
  duration: number;
  time: number;
  onSeek: (t: number) => void;
  onSent: () => void;
}) {
  const { videoId, trackId, frames, sentToReview, fps, duration, time, onSeek, onSent } = props;
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const width = duration > 0 ? (1 / fps / duration) * 100 : 0;
  const onClick = (e: MouseEvent<HTMLButtonElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    onSeek(((e.clientX - rect.left) / rect.width) * duration);
  };
  return (
    <div className={styles.trackRow} data-track-id={trackId}>
      <span className="small">
        Track {trackId}
        <span className="muted block">{frames.length} frames</span>
      </span>
      <div>
        <button
          type="button"
          className={styles.strip}
          onClick={onClick}
          aria-label={`Track ${trackId} timeline: click to play from that moment`}
        >
          {frames.map((f) => (
            <span
              key={f.t}
              className={styles.stripCell}
              title={`${formatSeconds(f.t)}: ${f.label} ${Math.round(f.confidence * 100)} %`}
              style={{ left: `${(f.t / duration) * 100}%`, width: `${width}%`, background: colourOf(f.label) }}
            />
          ))}
          <span className={styles.playhead} style={{ left: `${duration ? (time / duration) * 100 : 0}%` }} />
        </button>
        {note ? (
          <p className="small muted" role="status">
            {note}
          </p>
        ) : null}
      </div>
      <button
        type="button"
        className="btn btn-small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            const r = await apiFetchBody<{ sent: unknown[]; already_sent: number }>(
              `/api/videos/${videoId}/tracks/${trackId}/review`,
              { method: "POST", json: {} },
            );
            setNote(
              r.sent.length
                ? `Sent ${r.sent.length} frame${r.sent.length === 1 ? "" : "s"} to review.`
                : "Every frame of this track was sent already.",
            );
            onSent();
          } catch (err) {
            setNote(errorMessage(err));
          } finally {
            setBusy(false);
          }
        }}
        title={sentToReview ? `${sentToReview} sent so far` : undefined}
      >
        Send uncertain frames to review
      </button>
    </div>
  );
}
