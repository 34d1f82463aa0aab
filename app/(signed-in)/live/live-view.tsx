"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import Link from "next/link";
import { IouTracker } from "@/lib/faces/track";
import { argmax, ProbabilitySmoother } from "@/lib/faces/track-smoothing";
import type { Box } from "@/lib/faces/square-box";
import type { FaceDetectorName } from "@/lib/faces/detector-settings";
import { apiFetchBody, errorMessage } from "../_components/api-client";
import type { Probabilities, UploadResult } from "../_components/api-types";
import { formatPercent } from "../_components/format";
import { isTextEntry } from "../_components/keyboard";
import { KeyLegend } from "../_components/key-legend";
import { ShortcutHelp } from "../_components/shortcut-help";
import { matchShortcut, type Shortcut, type ShortcutGroup } from "../_components/shortcuts";
import { ProbabilityBars } from "../_components/probability-bars";
import type { LiveBackend, LiveEngine } from "./live-engine";
import { FrameRate, type LiveStats } from "./frame-rate";
import styles from "./live.module.css";

interface ActiveModel {
  id: number;
  version: number;
  name: string;
  checksum: string;
}

interface Props {
  model: ActiveModel | null;
  faceApiVersion: string;
  detector: FaceDetectorName;
  wasmBase: string;
  backend?: LiveBackend;
}

/** What benches and browser tests read (the page also shows it). */
declare global {
  interface Window {
    emotionLoopLive?: {
      stats(): LiveStats;
      /** The page's own inference on grey crops (crop size² bytes each) → probabilities in label order. */
      classifyCrops(crops: number[][]): Promise<number[][]>;
    };
  }
}

const liveShortcuts: Shortcut<"capture">[] = [
  { id: "capture", keys: ["C"], action: "Capture the frame: its faces become review items" },
];
const liveShortcutGroups: ShortcutGroup[] = [{ title: "Live", shortcuts: liveShortcuts }];

interface ShownFace {
  track: number;
  box: Box;
  label: string;
  confidence: number;
  probabilities: Probabilities;
}

type Phase =
  { kind: "starting"; step: string } | { kind: "running" } | { kind: "failed"; title: string; message: string };

type Capture =
  | { kind: "idle" }
  | { kind: "sending" }
  | { kind: "done"; uploadId: number; faces: number }
  | { kind: "failed"; message: string };

export function LiveView(props: Props) {
  if (!props.model) {
    return (
      <div className="notice notice-warning">
        <h2>No emotion model is active</h2>
        <p>The live view predicts with the active model. An administrator can activate one on the Models page.</p>
      </div>
    );
  }
  return <LiveCamera {...props} model={props.model} />;
}

function LiveCamera({ model, faceApiVersion, detector, wasmBase, backend }: Props & { model: ActiveModel }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "starting", step: "Starting the camera…" });
  const [frame, setFrame] = useState<{ width: number; height: number; faces: ShownFace[] } | null>(null);
  const [stats, setStats] = useState<LiveStats | null>(null);
  const [capture, setCapture] = useState<Capture>({ kind: "idle" });

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let engine: LiveEngine | null = null;
    let raf = 0;
    const tracker = new IouTracker();
    const smoother = new ProbabilitySmoother();
    const rate = new FrameRate();
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });

    async function step() {
      const video = videoRef.current;
      if (stopped || !engine || !video || !ctx) return;
      if (video.readyState >= 2 && video.videoWidth > 0) {
        const { videoWidth: width, videoHeight: height } = video;
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
        ctx.drawImage(video, 0, 0, width, height);
        const result = await engine.analyse(ctx.getImageData(0, 0, width, height));
        if (stopped) return;
        const ids = tracker.update(result.faces.map((f) => f.box));
        const smoothed = smoother.update(
          ids,
          result.faces.map((f) => f.probabilities),
        );
        const labels = engine.metadata.labels;
        setFrame({
          width,
          height,
          faces: result.faces.map((f, i) => {
            const p = smoothed[i]!;
            const top = argmax(p);
            return {
              track: ids[i]!,
              box: f.box,
              label: labels[top] ?? String(top),
              confidence: p[top] ?? 0,
              probabilities: Object.fromEntries(labels.map((l, k) => [l, p[k] ?? 0])),
            };
          }),
        });
        setStats(
          rate.frame(engine.backend, result.detectMs, result.modelMs, result.faces.length, result.fullDetection),
        );
      }
      raf = requestAnimationFrame(() => void step());
    }

    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { width: { ideal: 640 }, height: { ideal: 480 } },
          audio: false,
        });
      } catch (err) {
        const denied = err instanceof DOMException && err.name === "NotAllowedError";
        setPhase({
          kind: "failed",
          title: denied ? "The camera is blocked" : "No camera",
          message: denied
            ? "Allow this site to use the camera (the icon in the address bar), then reload the page."
            : "No camera could be opened. Connect one, or close other apps using it, then reload the page.",
        });
        return;
      }
      if (stopped) return stream.getTracks().forEach((t) => t.stop());
      const video = videoRef.current!;
      video.srcObject = stream;
      await video.play().catch(() => {});
      setPhase({ kind: "starting", step: "Loading the model and the face detector…" });
      try {
        const { createLiveEngine } = await import("./live-engine");
        engine = await createLiveEngine({ model, faceApiVersion, detector, wasmBase, backend });
      } catch (err) {
        console.error("[live] could not start inference", err);
        setPhase({
          kind: "failed",
          title: "The model could not be started",
          message: err instanceof Error ? err.message : "Something went wrong. Reload the page to try again.",
        });
        return;
      }
      if (stopped) return engine.dispose();
      const running = engine;
      window.emotionLoopLive = {
        stats: () => rate.current(running.backend),
        classifyCrops: async (crops) =>
          (await running.classifyCrops(crops.map((c) => Uint8Array.from(c)))).map((p) => Array.from(p)),
      };
      setPhase({ kind: "running" });
      void step();
    })();

    return () => {
      stopped = true;
      cancelAnimationFrame(raf);
      stream?.getTracks().forEach((t) => t.stop());
      engine?.dispose();
      delete window.emotionLoopLive;
    };
  }, [model, faceApiVersion, detector, wasmBase, backend]);

  const sendFrame = useCallback(async () => {
    const video = videoRef.current;
    if (!video || video.videoWidth === 0) return;
    setCapture({ kind: "sending" });
    try {
      // The frame as the camera gives it, lossless: the server detects and crops it like any upload.
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d")!.drawImage(video, 0, 0);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
      if (!blob) throw new Error("the frame could not be encoded");
      const body = new FormData();
      body.set("image", blob, "live-capture.png");
      const result = await apiFetchBody<UploadResult>("/api/predictions", { method: "POST", body });
      setCapture({ kind: "done", uploadId: result.upload_id, faces: result.faces.length });
    } catch (err) {
      setCapture({ kind: "failed", message: errorMessage(err) });
    }
  }, []);

  const canCapture = phase.kind === "running" && capture.kind !== "sending";
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.repeat || matchShortcut(liveShortcuts, e)?.id !== "capture") return;
      if (isTextEntry(e.target) || !canCapture) return;
      e.preventDefault();
      void sendFrame();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [canCapture, sendFrame]);

  const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(3)}%`;
  return (
    <div
      className={styles.liveLayout}
      data-testid="live-view"
      data-phase={phase.kind}
      data-backend={stats?.backend ?? ""}
      data-fps={stats ? stats.fps.toFixed(2) : ""}
      data-frames={stats?.frames ?? 0}
    >
      <div className={`card ${styles.stage}`}>
        <div
          className={styles.videoFrame}
          style={frame ? { aspectRatio: `${frame.width} / ${frame.height}` } : undefined}
        >
          <video ref={videoRef} className={styles.video} muted playsInline aria-label="Camera" />
          {frame?.faces.map((f) => (
            <div
              key={f.track}
              className={styles.faceBox}
              data-testid="live-face"
              data-label={f.label}
              style={{
                left: pct(f.box.x, frame.width),
                top: pct(f.box.y, frame.height),
                width: pct(f.box.width, frame.width),
                height: pct(f.box.height, frame.height),
              }}
            >
              <span className={styles.faceLabel}>
                {f.label} {formatPercent(f.confidence)}
              </span>
            </div>
          ))}
          {phase.kind === "starting" ? (
            <p className={styles.stageStatus}>
              <span className="spinner" aria-hidden="true" /> {phase.step}
            </p>
          ) : null}
        </div>
        {phase.kind === "failed" ? (
          <div className="notice notice-error">
            <h2>{phase.title}</h2>
            <p>{phase.message}</p>
          </div>
        ) : null}
      </div>

      <aside className={styles.side}>
        <section className="card" aria-label="Speed">
          <p className={styles.statsLine} data-testid="live-stats">
            {stats ? (
              <>
                <strong>{stats.fps.toFixed(1)} fps</strong> · {stats.backend.toUpperCase()} · detection{" "}
                {Math.round(stats.detectMs)} ms · model {Math.round(stats.modelMs)} ms
              </>
            ) : (
              <span className="muted">Waiting for the first frame…</span>
            )}
          </p>
          <p className="muted small">
            Model v{model.version} ({model.name}); labels are averaged over the last few frames of each face.
          </p>
        </section>

        <section className="card" aria-label="Capture">
          <button type="button" className="btn btn-primary" disabled={!canCapture} onClick={() => void sendFrame()}>
            {capture.kind === "sending" ? "Capturing…" : "Capture frame"}
          </button>
          <p aria-live="polite" className={styles.captureResult} data-testid="capture-result">
            {capture.kind === "done" ? (
              <span data-upload-id={capture.uploadId} data-review-items={capture.faces}>
                {capture.faces === 0
                  ? "No faces in the captured frame: nothing to review."
                  : `${capture.faces} review ${capture.faces === 1 ? "item" : "items"} created.`}{" "}
                {capture.faces > 0 ? <Link href="/review">Review them</Link> : null}
              </span>
            ) : capture.kind === "failed" ? (
              <span className="form-error">{capture.message}</span>
            ) : null}
          </p>
        </section>

        {frame && frame.faces.length > 0 ? (
          <ol className={styles.faceList} aria-label="Faces in view">
            {frame.faces.map((f, i) => (
              <li key={f.track} className="card">
                <h2 className="small-heading">
                  Face {i + 1}: {f.label}
                </h2>
                <ProbabilityBars probabilities={f.probabilities} predicted={f.label} />
              </li>
            ))}
          </ol>
        ) : phase.kind === "running" ? (
          <p className="muted">No face in view.</p>
        ) : null}

        <KeyLegend keys={liveShortcuts} />
        <ShortcutHelp groups={liveShortcutGroups} />
      </aside>
    </div>
  );
}
