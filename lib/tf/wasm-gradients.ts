import type {
  Attribute,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";

/**
 * Training kernels for tfjs-backend-wasm, built from its fast forward kernels.
 *
 * The WASM backend ships no Conv2DBackpropFilter and no depthwise-convolution gradients, so a CNN
 * cannot train on it; its Conv2DBackpropInput is a scalar loop, and its BatchMatMul is slow when
 * asked to transpose (which every Dense gradient does); its MaxPoolGrad loses the gradient of
 * windows of negative values, which breaks any net that pools before a ReLU (mini-Xception does);
 * its Tile computes an index per element, and
 * BatchNorm's gradient tiles per-channel factors to full activation size (a third of a training
 * step went there). Each convolution replacement below rewrites the
 * gradient as data movement (pad, slice, reverse, transpose: cheap) around one forward Conv2D,
 * DepthwiseConv2dNative or plain BatchMatMul, which run on XNNPACK.
 *
 * All tensors are NHWC; filters are [filterHeight, filterWidth, inChannels, outChannels]
 * (depthwise: [fh, fw, channels, multiplier]). Dilated gradients are refused, as tfjs-core's own
 * gradient functions already do.
 */

const BACKEND = "wasm";
const REPLACED = [
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "BatchMatMul",
  "MaxPoolGrad",
  "Tile",
] as const;

let originals: Map<string, KernelConfig> | undefined;
/** The tfjs namespace the kernels were registered with (for its conv geometry helper). */
let tfRef: Tf | undefined;

/**
 * Registers the kernels above for the "wasm" backend (idempotent). Needs the backend's own
 * kernels to be registered, i.e. `@tensorflow/tfjs-backend-wasm` imported.
 */
export function registerWasmGradients(tf: Tf): void {
  if (originals) return;
  const found = new Map<string, KernelConfig>();
  for (const name of [
    "Conv2D",
    "DepthwiseConv2dNative",
    "PadV2",
    "Slice",
    "Reverse",
    "Transpose",
    "Reshape",
    "Sum",
    "BatchMatMul",
    "Min",
    "Add",
    "MaxPoolGrad",
  ]) {
    const kernel = tf.getKernel(name, BACKEND);
    if (!kernel) throw new Error(`wasm kernel ${name} is not registered; import @tensorflow/tfjs-backend-wasm first`);
    found.set(name, kernel);
  }
  originals = found;
  tfRef = tf;
  const impls: Record<(typeof REPLACED)[number], KernelFunc> = {
    Conv2DBackpropInput: conv2DBackpropInput,
    Conv2DBackpropFilter: conv2DBackpropFilter,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
    BatchMatMul: batchMatMul,
    MaxPoolGrad: maxPoolGrad,
    Tile: tile,
  };
  for (const name of REPLACED) {
    const previous = tf.getKernel(name, BACKEND);
    if (previous) tf.unregisterKernel(name, BACKEND);
    // Keep the replaced kernel's setup so its native function is still bound when the backend
    // is (re)initialised; the replacement may call it.
    tf.registerKernel({
      kernelName: name,
      backendName: BACKEND,
      kernelFunc: impls[name],
      setupFunc: previous?.setupFunc,
    });
  }
}

/** Runs original wasm kernels on TensorInfos and frees every intermediate it did not hand back. */
class KernelRunner {
  private readonly temps: TensorInfo[] = [];
  constructor(readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = originals?.get(name);
    if (!kernel) throw new Error(`wasm gradients: kernel ${name} missing`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    const info = Array.isArray(out) ? out[0] : out;
    if (!info) throw new Error(`wasm gradients: kernel ${name} returned nothing`);
    this.temps.push(info);
    return info;
  }

  /** A float32 tensor owned by this runner. */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    const info: TensorInfo = { dataId: this.backend.write(values, shape, "float32"), shape, dtype: "float32" };
    this.temps.push(info);
    return info;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /**
   * Pads (positive amounts) or crops (negative amounts) height and width of an NHWC tensor.
   * @param x [N, H, W, C] → [N, H + top + bottom, W + left + right, C]
   */
  padOrCrop(x: TensorInfo, top: number, bottom: number, left: number, right: number): TensorInfo {
    const [n, h, w, c] = shape4(x);
    let out = x;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const t = Math.max(0, -top);
      const l = Math.max(0, -left);
      const size = [n, h - t - Math.max(0, -bottom), w - l - Math.max(0, -right), c];
      out = this.run("Slice", { x: out }, { begin: [0, t, l, 0], size });
    }
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      const paddings = [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ];
      out = this.run("PadV2", { x: out }, { paddings, constantValue: 0 });
    }
    return out;
  }

  /**
   * Inserts stride-1 zeros between rows and between columns (the transpose of striding), plus
   * as many trailing zero rows/columns, which callers crop with padOrCrop.
   * @param x [N, h, w, C] → [N, h * sh, w * sw, C]
   */
  dilate(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return x;
    const [n, h, w, c] = shape4(x);
    const spread = this.reshape(x, [n * h, 1, w, 1, c]);
    const padded = this.run(
      "PadV2",
      { x: spread },
      {
        paddings: [
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    return this.reshape(padded, [n, h * sh, w * sw, c]);
  }

  /** Hands `result` to the caller and frees everything else this runner made. */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return result;
  }

  /** Frees everything (used when a kernel throws half-way). */
  abandon(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

function withRunner(backend: object, body: (r: KernelRunner) => TensorInfo): TensorInfo {
  if (!isKernelBackend(backend)) throw new Error("wasm gradients: unexpected backend object");
  const r = new KernelRunner(backend);
  try {
    return r.finish(body(r));
  } catch (err) {
    r.abandon();
    throw err;
  }
}

function isKernelBackend(b: object): b is KernelBackend {
  return typeof (b as { disposeData?: unknown }).disposeData === "function";
}

/**
 * dx = full correlation of the stride-dilated dy with the 180°-rotated filter, channels swapped:
 * one stride-1 'valid' Conv2D.
 * Inputs: dy [N, oh, ow, outC], filter [fh, fw, inC, outC]; output [N, H, W, inC].
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) =>
  withRunner(backend, (r) => {
    const dy = input(inputs, "dy");
    const filter = input(inputs, "filter");
    const info = convInfo(attrs, shape4Attr(attrs, "inputShape"), shape4(filter), false);
    const dilated = r.dilate(dy, info.strideHeight, info.strideWidth);
    const padded = padForTransposedConv(r, dilated, info);
    const rotated = r.run("Reverse", { x: filter }, { dims: [0, 1] });
    const swapped = r.transpose(rotated, [0, 1, 3, 2]);
    return r.run("Conv2D", { x: padded, filter: swapped }, convAttrs(1, 1));
  });

/**
 * dW[i, j, ci, co] = Σ_{n,y,x} xpad[n, y·sh + i, x·sw + j, ci] · dy[n, y, x, co].
 * Inputs: x [N, H, W, inC], dy [N, oh, ow, outC]; output [fh, fw, inC, outC].
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) =>
  withRunner(backend, (r) => {
    const x = input(inputs, "x");
    const dy = input(inputs, "dy");
    const filterShape = shape4Attr(attrs, "filterShape");
    const info = convInfo(attrs, shape4(x), filterShape, false);
    const [fh, fw, inC] = filterShape;
    // Few input channels (a first layer) or a 1x1 filter: one GEMM over an explicit patch matrix
    // is cheaper than the conv below (measured 2-3x); its copy of x is only fh·fw·inC wide.
    return fh * fw === 1 || fh * fw * inC <= 32 ? filterGradByGemm(r, x, dy, info) : filterGradByConv(r, x, dy, info);
  });

/**
 * The correlation of x with dy over batch and space is a Conv2D with batch and channels swapped
 * (input channels become the batch, the batch becomes the reduced channel axis) and dy, dilated by
 * the stride, as the filter.
 */
function filterGradByConv(r: KernelRunner, x: TensorInfo, dy: TensorInfo, info: ConvGeometry): TensorInfo {
  const xp = padForFilterGrad(r, x, info);
  const xT = r.transpose(xp, [3, 1, 2, 0]); // [inC, Lh, Lw, N]
  const dyT = r.transpose(dy, [1, 2, 0, 3]); // [oh, ow, N, outC]
  const out = r.run("Conv2D", { x: xT, filter: dyT }, convAttrs(info.strideHeight, info.strideWidth)); // [inC, fh, fw, outC]
  return r.transpose(out, [1, 2, 0, 3]);
}

/**
 * patchesᵀ [fh·fw·inC, P] × dy [P, outC] with P = N·oh·ow. The patch matrix comes from one Conv2D
 * with a one-hot [fh, fw, inC, fh·fw·inC] filter (im2col on XNNPACK; cheap while fh·fw·inC is small).
 */
function filterGradByGemm(r: KernelRunner, x: TensorInfo, dy: TensorInfo, info: ConvGeometry): TensorInfo {
  const [n, oh, ow, outC] = shape4(dy);
  const [, , , inC] = shape4(x);
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const k = fh * fw * inC;
  const xp = padForFilterGrad(r, x, info);
  let patches: TensorInfo; // [N, oh, ow, k]
  if (k === inC && sh === 1 && sw === 1) {
    patches = xp;
  } else {
    const oneHot = new Float32Array(k * k);
    for (let i = 0; i < k; i++) oneHot[i * k + i] = 1;
    const filter = r.constant(oneHot, [fh, fw, inC, k]);
    patches = r.run(
      "Conv2D",
      { x: xp, filter },
      { strides: [sh, sw], pad: "valid", dataFormat: "NHWC", dilations: [1, 1] },
    );
  }
  const p = n * oh * ow;
  const patchesT = r.transpose(r.reshape(patches, [p, k]), [1, 0]); // [k, P]
  const grad = r.run(
    "BatchMatMul",
    { a: r.reshape(patchesT, [1, k, p]), b: r.reshape(dy, [1, p, outC]) },
    { transposeA: false, transposeB: false },
  );
  return r.reshape(grad, [fh, fw, inC, outC]);
}

/**
 * Per-channel version of conv2DBackpropInput: a depthwise convolution is its own transpose per
 * channel, so dx = depthwise(dilated, padded dy, rotated filter), summing the multiplier copies.
 * Inputs: dy [N, oh, ow, C·m], filter [fh, fw, C, m]; output [N, H, W, C].
 */
const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) =>
  withRunner(backend, (r) => {
    const dy = input(inputs, "dy");
    const filter = input(inputs, "filter");
    const [fh, fw, c, m] = shape4(filter);
    const info = convInfo(attrs, shape4Attr(attrs, "inputShape"), [fh, fw, c, m], true);
    const dilated = r.dilate(dy, info.strideHeight, info.strideWidth);
    const padded = padForTransposedConv(r, dilated, info);
    const rotated = r.reshape(r.run("Reverse", { x: filter }, { dims: [0, 1] }), [fh, fw, c * m, 1]);
    const out = r.run("DepthwiseConv2dNative", { x: padded, filter: rotated }, convAttrs(1, 1)); // [N, H, W, C·m]
    if (m === 1) return out;
    const [n, h, w] = shape4(out);
    return r.run("Sum", { x: r.reshape(out, [n, h, w, c, m]) }, { axis: [4], keepDims: false });
  });

/**
 * dW[i, j, c, q] = Σ_{n,y,x} xpad[n, y·sh + i, x·sw + j, c] · dy[n, y, x, c·m + q]. Folding the
 * batch into the channels turns this into one depthwise convolution of the [1, Lh, Lw, N·C] input
 * with dy as an [oh, ow, N·C, m] filter (dilated by the stride), then a sum over the batch.
 * Inputs: x [N, H, W, C], dy [N, oh, ow, C·m]; output [fh, fw, C, m].
 */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) =>
  withRunner(backend, (r) => {
    const x = input(inputs, "x");
    const dy = input(inputs, "dy");
    const [fh, fw, c, m] = shape4Attr(attrs, "filterShape");
    const info = convInfo(attrs, shape4(x), [fh, fw, c, m], true);
    const [n] = shape4(x);
    const [, oh, ow] = shape4(dy);
    const xp = padForFilterGrad(r, x, info); // [N, Lh, Lw, C]
    const [, lh, lw] = shape4(xp);
    const xFolded = r.reshape(r.transpose(xp, [1, 2, 0, 3]), [1, lh, lw, n * c]);
    const dyFolded = r.reshape(r.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, m]);
    const out = r.run(
      "DepthwiseConv2dNative",
      { x: xFolded, filter: dyFolded },
      convAttrs(info.strideHeight, info.strideWidth),
    ); // [1, fh, fw, N·C·m]
    const summed = r.run("Sum", { x: r.reshape(out, [fh, fw, n, c * m]) }, { axis: [2], keepDims: false });
    return r.reshape(summed, [fh, fw, c, m]);
  });

/**
 * Transposes operands explicitly (a fast copy) so the native matmul always runs its
 * untransposed XNNPACK path.
 * Inputs: a [..., M, K] (or [..., K, M] with transposeA), b [..., K, P] (or [..., P, K]).
 */
const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) =>
  withRunner(backend, (r) => {
    let a = input(inputs, "a");
    let b = input(inputs, "b");
    if (attrs?.transposeA === true) a = r.transpose(a, swapLastTwo(a.shape.length));
    if (attrs?.transposeB === true) b = r.transpose(b, swapLastTwo(b.shape.length));
    return r.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
  });

/**
 * The native kernel is right for positive inputs (checked against the CPU backend, ties included)
 * but drops windows whose values are all negative, so negative inputs are shifted up first: the
 * argmax of every window, and so the routing of dy, does not change under a constant shift.
 * Inputs: dy [N, oh, ow, C], input [N, H, W, C]; output [N, H, W, C].
 */
const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) =>
  withRunner(backend, (r) => {
    const dy = input(inputs, "dy");
    let x = input(inputs, "input");
    const lowest = r.run("Min", { x }, { axis: x.shape.map((_, i) => i), keepDims: false });
    const min = r.backend.readSync(lowest.dataId);
    const m = min instanceof Float32Array ? (min[0] ?? 0) : 0;
    if (m <= 0) x = r.run("Add", { a: x, b: r.constant(Float32Array.of(1 - m), []) });
    return r.run("MaxPoolGrad", { dy, input: x, output: input(inputs, "output") }, attrs ?? {});
  });

/** The wasm backend's own heap API (makeOutput / typedArrayFromHeap), checked at run time. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: "float32" | "int32" | "bool"): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function isHeapBackend(b: object): b is HeapBackend {
  const c = b as Partial<Record<keyof HeapBackend, unknown>>;
  return typeof c.makeOutput === "function" && typeof c.typedArrayFromHeap === "function";
}

/**
 * Builds the output by block copies, innermost dimension first: each input row is copied once and
 * then doubled with copyWithin (memmove speed) until it has its repetitions, and so on outwards.
 * Inputs: x [d0, …, dk]; attrs reps [r0, …, rk]; output [d0·r0, …, dk·rk].
 */
const tile: KernelFunc = ({ inputs, backend, attrs }) => {
  if (!isHeapBackend(backend)) throw new Error("Tile: unexpected backend object");
  const x = input(inputs, "x");
  const reps = attrs?.reps;
  if (
    !Array.isArray(reps) ||
    reps.length !== x.shape.length ||
    !reps.every((r): r is number => typeof r === "number")
  ) {
    throw new Error("Tile: reps must list one count per dimension");
  }
  if (x.dtype !== "float32" && x.dtype !== "int32" && x.dtype !== "bool")
    throw new Error(`Tile: dtype ${x.dtype} unsupported`);
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (src.length === 0 || dst.length === 0) return out;
  const rank = x.shape.length;
  if (rank === 0) {
    dst[0] = src[0] ?? 0;
    return out;
  }
  /** outInner[d] = elements in one output block of dimension d (product of outShape[d..]). */
  const outInner = new Array<number>(rank + 1).fill(1);
  const inInner = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) {
    outInner[d] = (outInner[d + 1] ?? 1) * (outShape[d] ?? 1);
    inInner[d] = (inInner[d + 1] ?? 1) * (x.shape[d] ?? 1);
  }
  const fill = (d: number, srcAt: number, dstAt: number): void => {
    const size = x.shape[d] ?? 1;
    const rep = reps[d] ?? 1;
    const childOut = outInner[d + 1] ?? 1;
    if (d === rank - 1) {
      dst.set(src.subarray(srcAt, srcAt + size), dstAt);
    } else {
      const childIn = inInner[d + 1] ?? 1;
      for (let i = 0; i < size; i++) fill(d + 1, srcAt + i * childIn, dstAt + i * childOut);
    }
    const block = size * childOut;
    for (let filled = block; filled < block * rep;) {
      const n = Math.min(filled, block * rep - filled);
      dst.copyWithin(dstAt + filled, dstAt, dstAt + n);
      filled += n;
    }
  };
  fill(0, 0, 0);
  return out;
};

// --- geometry -----------------------------------------------------------------------------

interface ConvGeometry {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

function convInfo(
  attrs: NamedAttrMap | undefined,
  inShape: Shape4,
  filterShape: Shape4,
  depthwise: boolean,
): ConvGeometry {
  const a = attrs ?? {};
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") throw new Error("wasm gradients support NHWC only");
  const dilations = a.dilations;
  if (dilations !== undefined && !(dilations === 1 || (Array.isArray(dilations) && dilations.every((d) => d === 1)))) {
    throw new Error("wasm gradients do not support dilated convolutions");
  }
  if (!tfRef) throw new Error("wasm gradients: not registered");
  const info = tfRef.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    readStrides(a.strides),
    1,
    readPad(a.pad),
    readRounding(a.dimRoundingMode),
    depthwise,
    "channelsLast",
  );
  return {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Pads dilated dy [N, oh·sh, ow·sw, C] so a 'valid' stride-1 conv yields [N, H, W, ·]. */
function padForTransposedConv(r: KernelRunner, dilated: TensorInfo, g: ConvGeometry): TensorInfo {
  const [, dh, dw] = shape4(dilated);
  const top = g.filterHeight - 1 - g.padTop;
  const left = g.filterWidth - 1 - g.padLeft;
  const bottom = g.inHeight + g.filterHeight - 1 - dh - top;
  const right = g.inWidth + g.filterWidth - 1 - dw - left;
  return r.padOrCrop(dilated, top, bottom, left, right);
}

/** The rows/columns of padded x that the forward conv read: [N, (oh-1)·sh + fh, (ow-1)·sw + fw, C]. */
function padForFilterGrad(r: KernelRunner, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const lh = (g.outHeight - 1) * g.strideHeight + g.filterHeight;
  const lw = (g.outWidth - 1) * g.strideWidth + g.filterWidth;
  return r.padOrCrop(x, g.padTop, lh - g.padTop - g.inHeight, g.padLeft, lw - g.padLeft - g.inWidth);
}

function convAttrs(dilationH: number, dilationW: number): NamedAttrMap {
  return { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [dilationH, dilationW] };
}

// --- attribute readers (attrs arrive untyped) ------------------------------------------------

type Shape4 = [number, number, number, number];
type Pair = [number, number];
type Pad = "same" | "valid" | number | [Pair, Pair, Pair, Pair];

function input(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`wasm gradients: missing input ${name}`);
  return t;
}

function shape4(t: TensorInfo): Shape4 {
  return toShape4(t.shape, "tensor");
}

function shape4Attr(attrs: NamedAttrMap | undefined, name: string): Shape4 {
  return toShape4(attrs?.[name], name);
}

function toShape4(v: Attribute | number[] | undefined, what: string): Shape4 {
  if (Array.isArray(v)) {
    const [a, b, c, d] = v;
    if (
      v.length === 4 &&
      typeof a === "number" &&
      typeof b === "number" &&
      typeof c === "number" &&
      typeof d === "number"
    ) {
      return [a, b, c, d];
    }
  }
  throw new Error(`wasm gradients: ${what} must be rank 4`);
}

function readStrides(v: Attribute | undefined): number | [number, number] {
  if (typeof v === "number") return v;
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") return [v[0], v[1]];
  throw new Error("wasm gradients: bad strides");
}

function readPad(v: Attribute | undefined): Pad {
  if (typeof v === "number") return v;
  if (typeof v === "string" && (v === "same" || v === "valid")) return v;
  if (Array.isArray(v) && v.length === 4) {
    const [a, b, c, d] = v.map(toPair);
    if (a && b && c && d) return [a, b, c, d];
  }
  throw new Error("wasm gradients: bad pad");
}

function toPair(p: unknown): Pair | undefined {
  if (!Array.isArray(p) || p.length !== 2) return undefined;
  const [a, b]: unknown[] = p;
  return typeof a === "number" && typeof b === "number" ? [a, b] : undefined;
}

function readRounding(v: Attribute | undefined): "floor" | "round" | "ceil" | undefined {
  if (typeof v !== "string") return undefined;
  return v === "floor" || v === "round" || v === "ceil" ? v : undefined;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}
