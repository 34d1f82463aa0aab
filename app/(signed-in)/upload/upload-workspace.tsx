"use client";

import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import Link from "next/link";
import { ApiError, apiFetchBody, errorMessage } from "../_components/api-client";
import type { UploadResult } from "../_components/api-types";
import { PhotoWithBoxes } from "../_components/photo-with-boxes";
import { FaceCard } from "./face-card";
import styles from "./upload-workspace.module.css";

const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];

type State =
  | { kind: "idle" }
  | { kind: "uploading"; fileName: string; previewUrl: string }
  | { kind: "done"; fileName: string; result: UploadResult }
  | { kind: "failed"; fileName: string; message: string; noModel: boolean };

export function UploadWorkspace() {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [isFaceCrop, setIsFaceCrop] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [state, setState] = useState<State>({ kind: "idle" });
  const [activeFace, setActiveFace] = useState<number | null>(null);

  // The local preview only lives while the upload runs.
  const previewUrl = state.kind === "uploading" ? state.previewUrl : null;
  useEffect(() => {
    return () => {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
    };
  }, [previewUrl]);

  async function upload(file: File) {
    if (file.type && !ACCEPTED.includes(file.type)) {
      setState({
        kind: "failed",
        fileName: file.name,
        message: "That file type is not supported. Use JPEG, PNG or WebP.",
        noModel: false,
      });
      return;
    }
    setActiveFace(null);
    setState({ kind: "uploading", fileName: file.name, previewUrl: URL.createObjectURL(file) });
    const body = new FormData();
    body.set("image", file);
    body.set("is_face_crop", isFaceCrop ? "true" : "false");
    try {
      const result = await apiFetchBody<UploadResult>("/api/predictions", { method: "POST", body });
      setState({ kind: "done", fileName: file.name, result });
    } catch (err) {
      const noModel = err instanceof ApiError && err.code === "model_unavailable";
      setState({ kind: "failed", fileName: file.name, message: errorMessage(err), noModel });
    } finally {
      // Choosing the same file again must fire `change` again.
      if (inputRef.current) inputRef.current.value = "";
    }
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file && state.kind !== "uploading") void upload(file);
  }

  const busy = state.kind === "uploading";

  return (
    <div className={styles.uploadWorkspace}>
      <form className={`card ${styles.uploadForm}`} onSubmit={(e) => e.preventDefault()}>
        <div
          className={dragging ? `${styles.dropzone} ${styles.isDragging}` : styles.dropzone}
          onDragEnter={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragOver={(e) => e.preventDefault()}
          onDragLeave={(e) => {
            // Leaving into a child is not leaving the zone.
            if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) setDragging(false);
          }}
          onDrop={onDrop}
          aria-busy={busy}
        >
          <input
            ref={inputRef}
            id={`${id}-file`}
            type="file"
            name="image"
            accept={ACCEPTED.join(",")}
            className={styles.dropzoneInput}
            disabled={busy}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) void upload(file);
            }}
          />
          <label htmlFor={`${id}-file`} className={styles.dropzoneLabel}>
            <span className={styles.dropzoneIcon} aria-hidden="true" />
            <span className={styles.dropzoneTitle}>
              {busy ? (
                "Detecting faces…"
              ) : (
                <>
                  Drop a photo here, or <span className={styles.linkLike}>choose a file</span>
                </>
              )}
            </span>
            <span id={`${id}-hint`} className="muted small">
              JPEG, PNG or WebP. The photo is analysed as soon as you choose it.
            </span>
          </label>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={isFaceCrop}
            onChange={(e) => setIsFaceCrop(e.currentTarget.checked)}
            disabled={busy}
          />
          <span>
            This image is already a cropped face
            <span className="muted small block">Skips face detection and treats the whole image as one face.</span>
          </span>
        </label>
      </form>

      {/* One short sentence for screen readers; the result itself is too long to be read out. */}
      <p className="sr-only" aria-live="polite">
        {announce(state)}
      </p>
      <section className="upload-result" aria-busy={busy} data-testid="upload-result">
        {state.kind === "uploading" ? (
          <div className="card uploading">
            <p className="status-line">
              <span className="spinner" aria-hidden="true" /> Analysing <strong>{state.fileName}</strong>…
            </p>
            {/* A blob: preview of the file being uploaded; next/image cannot serve it. */}
            <img src={state.previewUrl} alt="" className={styles.uploadPreview} />
          </div>
        ) : null}

        {state.kind === "failed" ? (
          state.noModel ? (
            <div className="notice notice-warning">
              <h2>No emotion model is installed</h2>
              <p>Photos can’t be analysed until an administrator installs or activates a model.</p>
              <p className="muted small">{state.message}</p>
            </div>
          ) : (
            <div className="notice notice-error">
              <h2>Couldn’t analyse {state.fileName}</h2>
              <p>{state.message}</p>
            </div>
          )
        ) : null}

        {state.kind === "done" ? (
          <UploadOutcome
            result={state.result}
            fileName={state.fileName}
            activeFace={activeFace}
            onActivate={setActiveFace}
          />
        ) : null}
      </section>
    </div>
  );
}

function announce(state: State): string {
  switch (state.kind) {
    case "idle":
      return "";
    case "uploading":
      return `Analysing ${state.fileName}…`;
    case "failed":
      return state.message;
    case "done": {
      const n = state.result.faces.length;
      return n === 0 ? "No faces found." : `${n} ${n === 1 ? "face" : "faces"} found.`;
    }
  }
}

function UploadOutcome({
  result,
  fileName,
  activeFace,
  onActivate,
}: {
  result: UploadResult;
  fileName: string;
  activeFace: number | null;
  onActivate: (faceId: number | null) => void;
}) {
  const n = result.faces.length;
  return (
    <>
      <h2 className={styles.resultHeading}>
        {n === 0 ? "No faces found" : n === 1 ? "1 face found" : `${n} faces found`}
        <span className="muted small"> in {fileName}</span>
      </h2>
      {n === 0 ? (
        <p className="notice">
          Nothing that looks like a face was detected. Try a clearer, front-facing photo — or, if the image is already a
          face crop, tick “This image is already a cropped face” and upload it again.
        </p>
      ) : (
        <p className="muted">
          Check each prediction below. Faces you don’t answer here wait for you in <Link href="/review">Review</Link>.
        </p>
      )}
      <div className={styles.resultLayout}>
        <div className={`card ${styles.resultPhoto}`}>
          <PhotoWithBoxes
            src={result.image_url}
            alt={`Uploaded photo ${fileName}${n ? `, with ${n} numbered face boxes` : ""}`}
            width={result.width}
            height={result.height}
            boxes={result.faces.map((f, i) => ({
              key: f.id,
              box: f.box,
              badge: String(i + 1),
              active: activeFace === f.id,
            }))}
          />
        </div>
        {n > 0 ? (
          <ol className={styles.faceList}>
            {result.faces.map((face, i) => (
              <li
                key={face.id}
                onMouseEnter={() => onActivate(face.id)}
                onMouseLeave={() => onActivate(null)}
                onFocus={() => onActivate(face.id)}
              >
                <FaceCard face={face} number={i + 1} />
              </li>
            ))}
          </ol>
        ) : null}
      </div>
    </>
  );
}
