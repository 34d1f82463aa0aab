"use client";

import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import Link from "next/link";
import { ApiError, apiFetchBody, errorMessage } from "../_components/api-client";
import type { DuplicateUploadResult, ImportState, UploadResult } from "../_components/api-types";
import { PhotoWithBoxes } from "../_components/photo-with-boxes";
import { FaceCard } from "./face-card";
import { ImportProgress } from "./import-progress";
import styles from "./upload-workspace.module.css";

const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];
const ZIP_TYPES = ["application/zip", "application/x-zip-compressed"];

type State =
  | { kind: "idle" }
  | { kind: "uploading"; fileName: string; previewUrl: string }
  | { kind: "done"; fileName: string; result: UploadResult | DuplicateUploadResult }
  | { kind: "failed"; fileName: string; message: string; noModel: boolean }
  | { kind: "sending"; label: string }
  | { kind: "importing"; importId: number; label: string | null };

const isZip = (f: File) => ZIP_TYPES.includes(f.type) || /\.zip$/i.test(f.name);

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

  // After a reload: the import named in the address, else one of yours still queued or running.
  useEffect(() => {
    const named = Number(new URLSearchParams(window.location.search).get("import"));
    if (Number.isInteger(named) && named > 0) {
      setState({ kind: "importing", importId: named, label: null });
      return;
    }
    let stopped = false;
    apiFetchBody<{ imports: ImportState[] }>("/api/imports")
      .then(({ imports }) => {
        const open = imports.find((i) => i.status === "queued" || i.status === "running");
        if (open && !stopped) {
          setState((s) => (s.kind === "idle" ? { kind: "importing", importId: open.id, label: null } : s));
        }
      })
      .catch(() => {});
    return () => {
      stopped = true;
    };
  }, []);

  /** One photo keeps the instant flow; several files or a zip become an import. */
  function chooseFiles(files: File[]) {
    const [first] = files;
    if (!first) return;
    if (files.length === 1 && !isZip(first)) void upload(first);
    else void startImport(files);
  }

  async function startImport(files: File[]) {
    const label = files.length === 1 ? files[0]!.name : `${files.length} files`;
    setActiveFace(null);
    setState({ kind: "sending", label });
    const body = new FormData();
    for (const f of files) body.append("file", f);
    body.set("is_face_crop", isFaceCrop ? "true" : "false");
    try {
      const { import_id: importId } = await apiFetchBody<{ import_id: number }>("/api/imports", {
        method: "POST",
        body,
      });
      // In the address, so a reload shows the same import.
      window.history.replaceState(null, "", `?import=${importId}`);
      setState({ kind: "importing", importId, label });
    } catch (err) {
      setState({ kind: "failed", fileName: label, message: errorMessage(err), noModel: false });
    } finally {
      if (inputRef.current) inputRef.current.value = "";
    }
  }

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
    window.history.replaceState(null, "", window.location.pathname);
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
    if (!busy) chooseFiles([...e.dataTransfer.files]);
  }

  const busy = state.kind === "uploading" || state.kind === "sending";

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
            multiple
            accept={[...ACCEPTED, ...ZIP_TYPES, ".zip"].join(",")}
            className={styles.dropzoneInput}
            disabled={busy}
            aria-describedby={`${id}-hint`}
            onChange={(e) => {
              chooseFiles([...(e.currentTarget.files ?? [])]);
            }}
          />
          <label htmlFor={`${id}-file`} className={styles.dropzoneLabel}>
            <span className={styles.dropzoneIcon} aria-hidden="true" />
            <span className={styles.dropzoneTitle}>
              {busy ? (
                state.kind === "sending" ? (
                  "Sending…"
                ) : (
                  "Detecting faces…"
                )
              ) : (
                <>
                  Drop photos or a zip here, or <span className={styles.linkLike}>choose files</span>
                </>
              )}
            </span>
            <span id={`${id}-hint`} className="muted small">
              JPEG, PNG or WebP. One photo is analysed as soon as you choose it; several photos or a zip (also the
              previous tool’s feedback_log.csv with feedback_images/) are imported in the background.
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

        {state.kind === "sending" ? (
          <div className="card uploading">
            <p className="status-line">
              <span className="spinner" aria-hidden="true" /> Sending <strong>{state.label}</strong>…
            </p>
          </div>
        ) : null}

        {state.kind === "importing" ? (
          <ImportProgress key={state.importId} importId={state.importId} fileLabel={state.label} />
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
    case "sending":
      return `Sending ${state.label}…`;
    case "importing":
      return `Import ${state.importId} started.`;
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
  result: UploadResult | DuplicateUploadResult;
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
      {"duplicate_of" in result ? (
        <p className="notice" data-testid="duplicate-notice">
          This photo was uploaded before (upload {result.duplicate_of}); nothing new was stored. Its faces are shown as
          they were predicted then.
        </p>
      ) : null}
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
