"use client";

import { useEffect, useId, useState } from "react";
import Link from "next/link";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { EMOTION_LABELS } from "@/lib/model/labels";
import {
  DEFAULT_VIDEO_FPS,
  MAX_VIDEO_FPS,
  MIN_VIDEO_FPS,
  targetEmotionsSchema,
  videoFpsSchema,
} from "@/lib/videos/schemas";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import { useApiData } from "../_components/use-api-data";
import { isActive, type VideoRow } from "./video-types";
import styles from "./videos.module.css";

/** The form: the shared fps and target-emotion schemas, plus the chosen file. */
const uploadSchema = z.object({
  video: z.custom<FileList>((v) => typeof FileList !== "undefined" && v instanceof FileList && v.length === 1, {
    message: "Choose a video file (MP4, MOV or WebM).",
  }),
  fps: videoFpsSchema,
  target_emotions: targetEmotionsSchema,
});
type UploadInput = z.input<typeof uploadSchema>;
type UploadOutput = z.output<typeof uploadSchema>;

export function VideosWorkspace() {
  const { data, error, refresh } = useApiData<{ videos: VideoRow[] }>("/api/videos");
  const active = data?.videos.some((v) => isActive(v.status)) ?? false;

  // Poll while an analysis is queued or running; the list comes from the server, so a reload shows the same.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void refresh(), 1500);
    return () => clearInterval(timer);
  }, [active, refresh]);

  return (
    <div className="stack-lg">
      <UploadForm onUploaded={() => void refresh()} />
      <section className="card" aria-labelledby="videos-list-heading">
        <h2 id="videos-list-heading">Your videos</h2>
        {error ? <p className="form-error">{error}</p> : null}
        {data === null ? (
          <p className="muted">Loading…</p>
        ) : data.videos.length === 0 ? (
          <p className="muted">No videos yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="videos-table">
              <thead>
                <tr>
                  <th>Video</th>
                  <th>Status</th>
                  <th className="num">Length</th>
                  <th className="num">Frames / s</th>
                  <th>Uploaded</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.videos.map((v) => (
                  <VideoListRow key={v.id} video={v} onChanged={() => void refresh()} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

function VideoListRow({ video: v, onChanged }: { video: VideoRow; onChanged: () => void }) {
  const [cancelError, setCancelError] = useState<string | null>(null);
  return (
    <tr data-video-id={v.id} data-status={v.status}>
      <td>
        <Link href={`/videos/${v.id}`}>{v.name}</Link>
      </td>
      <td>
        <StatusCell video={v} />
        {cancelError ? <p className="form-error">{cancelError}</p> : null}
      </td>
      <td className="num">{v.duration_s === null ? "–" : `${v.duration_s.toFixed(1)} s`}</td>
      <td className="num">{v.fps}</td>
      <td className="cell-time">{new Date(v.created_at).toLocaleString()}</td>
      <td className="cell-actions">
        {isActive(v.status) ? (
          <button
            type="button"
            className="btn btn-small btn-danger-outline"
            onClick={async () => {
              try {
                await apiFetchBody(`/api/videos/${v.id}/cancel`, { method: "POST", json: {} });
                setCancelError(null);
              } catch (err) {
                setCancelError(errorMessage(err));
              }
              onChanged();
            }}
          >
            Cancel
          </button>
        ) : null}
      </td>
    </tr>
  );
}

export function StatusCell({ video: v }: { video: VideoRow }) {
  const text = { queued: "Queued", running: "Running", done: "Done", failed: "Failed", cancelled: "Cancelled" }[
    v.status
  ];
  const chip = { queued: "queued", running: "running", done: "succeeded", failed: "failed", cancelled: "cancelled" }[
    v.status
  ];
  return (
    <div className={styles.statusCell}>
      <span className={`status-chip is-${chip}`} data-status={v.status}>
        {text}
      </span>
      {v.status === "running" ? (
        <progress max={1} value={v.progress} aria-label="Analysed">
          {Math.round(v.progress * 100)} %
        </progress>
      ) : null}
      {v.status === "running" ? <span className="muted small">{Math.round(v.progress * 100)} %</span> : null}
      {v.error ? <span className="small">{v.error}</span> : null}
      {v.message ? <span className="muted small">{v.message}</span> : null}
    </div>
  );
}

function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const id = useId();
  const [failure, setFailure] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<UploadInput, unknown, UploadOutput>({
    resolver: zodResolver(uploadSchema),
    defaultValues: { fps: String(DEFAULT_VIDEO_FPS), target_emotions: [] },
  });

  const onSubmit = handleSubmit(async (values) => {
    setFailure(null);
    const body = new FormData();
    const file = values.video.item(0);
    if (!file) return;
    body.set("video", file);
    body.set("fps", String(values.fps));
    if (values.target_emotions.length) body.set("target_emotions", values.target_emotions.join(","));
    try {
      await apiFetchBody("/api/videos", { method: "POST", body });
      reset({ fps: String(values.fps), target_emotions: values.target_emotions });
      onUploaded();
    } catch (err) {
      setFailure(errorMessage(err));
    }
  });

  return (
    <form className={`card ${styles.uploadForm}`} onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Upload a video</h2>
      <div className="field">
        <label htmlFor={`${id}-file`}>Video file</label>
        <input
          id={`${id}-file`}
          type="file"
          accept="video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm"
          aria-describedby={`${id}-file-hint`}
          aria-invalid={errors.video ? true : undefined}
          {...register("video")}
        />
        <span id={`${id}-file-hint`} className="muted small">
          MP4, MOV or WebM.
        </span>
        {errors.video ? <p className="field-error">{errors.video.message}</p> : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-fps`}>Frames sampled per second</label>
        <input
          id={`${id}-fps`}
          type="text"
          inputMode="decimal"
          className={styles.fpsInput}
          aria-describedby={`${id}-fps-hint`}
          aria-invalid={errors.fps ? true : undefined}
          {...register("fps")}
        />
        <span id={`${id}-fps-hint`} className="muted small">
          From {MIN_VIDEO_FPS} to {MAX_VIDEO_FPS}. More frames follow faces more closely and take longer.
        </span>
        {errors.fps ? <p className="field-error">{errors.fps.message}</p> : null}
      </div>
      <fieldset className={styles.emotions}>
        <legend>Emotions to find</legend>
        <span className="muted small">Stretches where one of these is a face’s top emotion are listed.</span>
        <div className={styles.emotionChoices}>
          {EMOTION_LABELS.map((label) => (
            <label key={label} className="checkbox">
              <input type="checkbox" value={label} {...register("target_emotions")} />
              <span>{label}</span>
            </label>
          ))}
        </div>
        {errors.target_emotions ? <p className="field-error">{errors.target_emotions.message}</p> : null}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={isSubmitting}>
          {isSubmitting ? "Uploading…" : "Upload and analyse"}
        </button>
      </div>
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
    </form>
  );
}
