/** The live view's speed figures: what it shows, and what benches and tests read. */
export interface LiveStats {
  backend: string;
  /** Frames analysed per second over the last few seconds. */
  fps: number;
  /** Average milliseconds per frame over the same frames: detection, and crop + emotion model. */
  detectMs: number;
  modelMs: number;
  /** Frames analysed since the start. */
  frames: number;
  /** Faces in the last frame. */
  faces: number;
  /** Frames since the start searched whole (the others only around the faces of the frame before). */
  fullDetections: number;
}

/** Keeps the last WINDOW frames' end times and costs. */
const WINDOW = 30;

export class FrameRate {
  private readonly ends: number[] = [];
  private readonly costs: { detect: number; model: number }[] = [];
  private frames = 0;
  private faces = 0;
  private fullDetections = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records a finished frame; returns the figures including it. */
  frame(backend: string, detectMs: number, modelMs: number, faces: number, fullDetection = true): LiveStats {
    this.ends.push(this.now());
    this.costs.push({ detect: detectMs, model: modelMs });
    if (this.ends.length > WINDOW) this.ends.shift();
    if (this.costs.length > WINDOW) this.costs.shift();
    this.frames++;
    this.faces = faces;
    if (fullDetection) this.fullDetections++;
    return this.current(backend);
  }

  current(backend: string): LiveStats {
    const n = this.ends.length;
    const span = n > 1 ? this.ends[n - 1]! - this.ends[0]! : 0;
    const mean = (pick: (c: { detect: number; model: number }) => number) =>
      this.costs.length ? this.costs.reduce((s, c) => s + pick(c), 0) / this.costs.length : 0;
    return {
      backend,
      fps: span > 0 ? ((n - 1) * 1000) / span : 0,
      detectMs: mean((c) => c.detect),
      modelMs: mean((c) => c.model),
      frames: this.frames,
      faces: this.faces,
      fullDetections: this.fullDetections,
    };
  }
}
