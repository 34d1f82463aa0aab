/**
 * In-browser inference for the live view: face detection and emotion prediction on the camera's
 * frames, with the server's own detector, thresholds, crop and preprocessing (the pure lib/
 * modules both sides import) and the active model version's own files. Loaded on /live only
 * (dynamic import): TensorFlow.js is large.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";
import { detectorOptions, FACE_DETECTOR_SPECS, faceBoxes, type FaceDetectorName } from "@/lib/faces/detector-settings";
import { FaceFollower } from "@/lib/faces/face-follower";
import { detectTinyInRegions } from "@/lib/faces/region-search";
import { detectTinyFaces } from "@/lib/faces/tiny-detector";
import { cropGrayFrame, grayLikeSharp } from "@/lib/faces/frame-crop";
import { type Box, CROP_SIZE, expandBox } from "@/lib/faces/square-box";
import { DETECTOR_MAX_SIDE } from "@/lib/images/detector-input";
import { withDepthMultipliers } from "@/lib/model/depth-multiplier";
import { grayCropToInput } from "@/lib/model/model-input";
import { servedProbabilities } from "@/lib/model/served-probabilities";
import { applyTemperature } from "@/lib/model/calibration";
import { servingMetadataSchema, type ServingMetadata } from "@/lib/model/serving-metadata";

export type LiveBackend = "webgl" | "wasm";

export interface LiveEngineOptions {
  /** The active version: its id and checksum (the checksum makes its file URLs cacheable for good). */
  model: { id: number; checksum: string };
  /** The installed face-api version (makes the detector's file URLs cacheable for good). */
  faceApiVersion: string;
  /** The server's detector (FACE_DETECTOR): the live view finds the faces an upload would. */
  detector: FaceDetectorName;
  /** Where the WASM backend's binaries are served, e.g. "/tfjs-wasm/4.22.0/". */
  wasmBase: string;
  /** Force a backend; default: WebGL when the browser has it, else WASM. */
  backend?: LiveBackend;
}

export interface LiveFace {
  /** The square the crop is cut from, in frame pixels (what the server stores as the face's box). */
  box: Box;
  /** Detector confidence. */
  score: number;
  /** One per label, in the version's label order. */
  probabilities: Float32Array;
}

export interface FrameAnalysis {
  faces: LiveFace[];
  /** Milliseconds spent detecting (face-api), and cropping plus predicting (the emotion model). */
  detectMs: number;
  modelMs: number;
  /** Whether the frame was searched whole (else only around the faces of the frame before). */
  fullDetection: boolean;
}

export interface LiveEngine {
  /** tf.getBackend(): "webgl" or "wasm". */
  backend: string;
  metadata: ServingMetadata;
  /** Detects, crops and predicts every face of one frame (RGBA pixels, e.g. a canvas' getImageData). */
  analyse(frame: ImageData): Promise<FrameAnalysis>;
  /**
   * Probabilities for grey crops (crop size × crop size bytes each, the pixels of the PNG the server
   * stores for a face), as the server serves them: the model input and test-time augmentation of
   * the version.
   */
  classifyCrops(crops: Uint8Array[]): Promise<Float32Array[]>;
  dispose(): void;
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res;
}

/**
 * The renderer behind WebGL, when the browser names it: "SwiftShader", "llvmpipe" and the like are
 * the CPU drawing triangles, which runs these models many times slower than WASM (0.1 fps against
 * several on a 2-core machine, bench:live).
 */
function softwareWebGl(): boolean {
  const gl =
    document.createElement("canvas").getContext("webgl2") ?? document.createElement("canvas").getContext("webgl");
  if (!gl) return false;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
}

/** WebGL on a real GPU, else WASM; `wanted` forces one (a software WebGL included). */
async function chooseBackend(wasmBase: string, wanted?: LiveBackend): Promise<string> {
  setWasmPaths(wasmBase);
  if (wanted === "webgl" || (wanted === undefined && !softwareWebGl())) {
    try {
      if (await tf.setBackend("webgl")) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // No WebGL: fall through to WASM.
    }
    if (wanted === "webgl") throw new Error("WebGL is not available in this browser.");
  }
  if (!(await tf.setBackend("wasm"))) throw new Error("Neither WebGL nor WebAssembly could be started.");
  await tf.ready();
  return tf.getBackend();
}

/** The version's model, built from its files as the server's loader builds it (lib/model/fs-io). */
async function loadModel(model: LiveEngineOptions["model"]) {
  const url = (name: string) => `/api/models/${model.id}/files/${encodeURIComponent(name)}?v=${model.checksum}`;
  const [modelJson, metadata] = await Promise.all([
    fetchOk(url("model.json")).then((r) => r.json() as Promise<tf.io.ModelJSON>),
    fetchOk(url("metadata.json")).then(async (r) => servingMetadataSchema.parse(await r.json())),
  ]);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: ArrayBuffer[] = [];
  for (const group of modelJson.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(await fetchOk(url(p)).then((r) => r.arrayBuffer()));
  }
  const weightData = tf.io.concatenateArrayBuffers(shards);
  const artifacts = withDepthMultipliers({
    modelTopology: modelJson.modelTopology,
    weightSpecs: specs,
    weightData,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  });
  const layers = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { layers, metadata };
}

/** The server's face detector (face-api's network) with the weights the server detects with. */
async function loadDetector(detector: FaceDetectorName, version: string) {
  const url = (name: string) => `/api/detector/files/${name}?v=${encodeURIComponent(version)}`;
  const { net, files } = FACE_DETECTOR_SPECS[detector];
  const [manifestName, binName] = files;
  const manifest = (await fetchOk(url(manifestName)).then((r) => r.json())) as tf.io.WeightsManifestConfig;
  const weights = await fetchOk(url(binName)).then((r) => r.arrayBuffer());
  // face-api's own `tf` (the same instance, checked in createLiveEngine): its typings are its own.
  const map = faceapi.tf.io.decodeWeights(
    weights,
    manifest.flatMap((g) => g.weights),
  );
  faceapi.nets[net].loadFromWeightMap(map);
  return detectorOptions(faceapi, detector);
}

export async function createLiveEngine(opts: LiveEngineOptions): Promise<LiveEngine> {
  const backend = await chooseBackend(opts.wasmBase, opts.backend);
  // A second copy of tfjs in the bundle would give face-api its own Tensor class (see lib/faces/detector).
  const probe = tf.scalar(0);
  const shared = probe instanceof faceapi.tf.Tensor;
  probe.dispose();
  if (!shared) throw new Error("face-api loaded a different TensorFlow.js instance than the page.");

  const [{ layers, metadata }, detectorOptions] = await Promise.all([
    loadModel(opts.model),
    loadDetector(opts.detector, opts.faceApiVersion),
  ]);
  const [h, w, c] = metadata.inputShape;
  const tta = metadata.testTimeAugmentation ?? "none";
  const temperature = metadata.temperature ?? 1;
  const classes = metadata.labels.length;
  let scaler: HTMLCanvasElement | null = null;

  async function classifyCrops(crops: Uint8Array[]): Promise<Float32Array[]> {
    if (crops.length === 0) return [];
    const size = h * w * c;
    const batch = new Float32Array(crops.length * size);
    crops.forEach((crop, i) => batch.set(grayCropToInput(crop, CROP_SIZE, CROP_SIZE, metadata), i * size));
    /** [n, classes] */
    const probs = tf.tidy(() => servedProbabilities(tf, layers, tf.tensor4d(batch, [crops.length, h, w, c]), tta));
    const flat = (await probs.data()) as Float32Array;
    probs.dispose();
    // The version's temperature, as the server serves (lib/model/predictor).
    return crops.map((_, i) => {
      const row = flat.slice(i * classes, (i + 1) * classes);
      return temperature === 1 ? row : applyTemperature(row, temperature);
    });
  }

  /**
   * The detector's view of a frame: as is up to DETECTOR_MAX_SIDE (any webcam up to 768 px wide),
   * else scaled down by the browser (the server scales with sharp; boxes are scaled back the same way).
   */
  function detectorInput(frame: ImageData): { pixels: ImageData; scale: number } {
    const longest = Math.max(frame.width, frame.height);
    if (longest <= DETECTOR_MAX_SIDE) return { pixels: frame, scale: 1 };
    const scale = DETECTOR_MAX_SIDE / longest;
    scaler ??= document.createElement("canvas");
    const source = document.createElement("canvas");
    source.width = frame.width;
    source.height = frame.height;
    source.getContext("2d")!.putImageData(frame, 0, 0);
    scaler.width = Math.round(frame.width * scale);
    scaler.height = Math.round(frame.height * scale);
    const ctx = scaler.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(source, 0, 0, scaler.width, scaler.height);
    return { pixels: ctx.getImageData(0, 0, scaler.width, scaler.height), scale: scaler.width / frame.width };
  }

  // Between full detections (one a second), frames are searched only around the faces of the
  // frame before, as the server analyses a video's frames (lib/faces/face-follower).
  const follower = new FaceFollower<Box & { score: number }>({ regionSearch: opts.detector === "tiny" });

  /** The detector's boxes in `pixels` (the app's framing, clipped), the whole of it searched. */
  async function detectWhole(pixels: ImageData): Promise<(Box & { score: number })[]> {
    // [height, width, 3] int32, as the server hands its RGB pixels to the detector.
    const input = faceapi.tf.browser.fromPixels(pixels, 3);
    let detections: { box: Box; score: number }[];
    try {
      // The Tiny detector on the frame's own shape, as the server runs it (lib/faces/tiny-detector).
      detections =
        opts.detector === "tiny"
          ? (await detectTinyFaces(tf, faceapi, input as unknown as tf.Tensor3D)).map((d) => ({
              box: d,
              score: d.score,
            }))
          : await faceapi.detectAllFaces(input, detectorOptions);
    } finally {
      input.dispose();
    }
    return faceBoxes(opts.detector, detections, pixels.width, pixels.height);
  }

  /** The Tiny detector in `regions` of `pixels` only, its boxes as detectWhole gives them. */
  async function detectAround(pixels: ImageData, regions: Box[]): Promise<(Box & { score: number })[]> {
    const pixelsRgba = { data: pixels.data, width: pixels.width, height: pixels.height, channels: 4 as const };
    return (await detectTinyInRegions(tf, faceapi, pixelsRgba, regions)).faces;
  }

  async function analyse(frame: ImageData): Promise<FrameAnalysis> {
    const t0 = performance.now();
    const { pixels, scale } = detectorInput(frame);
    const followed = await follower.next(
      t0 / 1000,
      pixels,
      () => detectWhole(pixels),
      (regions) => detectAround(pixels, regions),
    );
    const found: { box: Box; score: number }[] = [];
    for (const clipped of followed.faces) {
      const face = {
        x: clipped.x / scale,
        y: clipped.y / scale,
        width: clipped.width / scale,
        height: clipped.height / scale,
      };
      found.push({ box: expandBox(face, frame.width, frame.height), score: clipped.score });
    }
    found.sort((a, b) => a.box.x - b.box.x || a.box.y - b.box.y);
    const t1 = performance.now();
    let probabilities: Float32Array[] = [];
    if (found.length) {
      const gray = grayLikeSharp(frame.data, 4);
      probabilities = await classifyCrops(found.map((f) => cropGrayFrame(gray, frame.width, frame.height, f.box)));
    }
    const t2 = performance.now();
    return {
      faces: found.map((f, i) => ({ ...f, probabilities: probabilities[i]! })),
      detectMs: t1 - t0,
      modelMs: t2 - t1,
      fullDetection: followed.full,
    };
  }

  // Warm-up: the first run of each op compiles kernels (WebGL shaders) and would stall the first frame.
  await classifyCrops([new Uint8Array(CROP_SIZE * CROP_SIZE)]);
  await analyse(new ImageData(64, 64));
  if (opts.detector === "tiny") await detectAround(new ImageData(64, 64), [{ x: 0, y: 0, width: 64, height: 64 }]);

  return {
    backend,
    metadata,
    analyse,
    classifyCrops,
    dispose() {
      layers.dispose();
    },
  };
}
