import type H5wasm from "h5wasm/node";

type H5wasmLib = typeof H5wasm;
export type H5File = InstanceType<H5wasmLib["File"]>;
export type H5Group = InstanceType<H5wasmLib["Group"]>;
export type H5Dataset = InstanceType<H5wasmLib["Dataset"]>;

/** One stored array: its shape and values as float32 (what every tfjs-layers weight is). */
export interface StoredArray {
  shape: number[];
  values: Float32Array;
}

let started: Promise<H5wasmLib> | undefined;
let lib: H5wasmLib | undefined;

/**
 * h5wasm, started once. It is an ES module only (no `require` entry), hence the dynamic import
 * from code tsx runs as CommonJS. By default a failed HDF5 call prints its error stack and returns
 * an invalid id, so a truncated file would "open" and fail later with a meaningless message; the
 * throwing handler turns every HDF5 error into a JS error at the call that caused it.
 */
export function loadH5wasm(): Promise<H5wasmLib> {
  started ??= import("h5wasm/node").then(async (mod) => {
    const h5 = await mod.default.ready;
    h5.activate_throwing_error_handler();
    lib = mod.default;
    return lib;
  });
  return started;
}

/** Opens an HDF5 file, with HDF5's own reason (e.g. "truncated file: eof = …") when it cannot. */
export async function openHdf5(file: string, mode: "r" | "w" = "r"): Promise<H5File> {
  const h5 = await loadH5wasm();
  try {
    return new h5.File(file, mode);
  } catch (err) {
    const what = mode === "r" ? "read" : "write";
    throw new Error(`Cannot ${what} ${file} as HDF5 (is it truncated or corrupt?): ${hdf5Reason(err)}`);
  }
}

/**
 * The innermost line of an HDF5 error stack ("… in H5F__super_read(): truncated file: eof = …"),
 * which names the actual problem; the outer lines only say which API call failed.
 */
export function hdf5Reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const frames = text.split("\n").filter((l) => /^\s*#\d+:/.test(l));
  const last = frames.at(-1);
  if (!last) return text.split("\n")[0] ?? text;
  const at = last.indexOf("(): ");
  return at >= 0 ? last.slice(at + 4).trim() : last.trim();
}

/** Only meaningful once loadH5wasm() has resolved, as it has for anything read from a file. */
export function isGroup(entity: unknown): entity is H5Group {
  return lib !== undefined && entity instanceof lib.Group;
}

export function isDataset(entity: unknown): entity is H5Dataset {
  return lib !== undefined && entity instanceof lib.Dataset;
}

/** The group at `path` under `parent`, or null when there is none (or it is not a group). */
export function getGroup(parent: H5Group, path: string): H5Group | null {
  const entity = parent.get(path);
  return isGroup(entity) ? entity : null;
}

/**
 * A string attribute, or null when absent. h5py stores Python `str` as variable-length UTF-8
 * and numpy `bytes` as fixed-length ASCII; some writers use uint8 arrays. All read as one string.
 */
export function readStringAttr(obj: H5Group, name: string): string | null {
  if (!Object.hasOwn(obj.attrs, name)) return null;
  const strings = attrStrings(obj.attrs[name]?.value ?? null);
  return strings.length === 0 ? null : strings.join("");
}

/**
 * A list-of-strings attribute such as Keras' `layer_names` / `weight_names`. Keras splits lists
 * too large for one HDF5 attribute (64 KB) into `name0`, `name1`, …; those are joined here. An
 * empty list is often stored as an empty float64 array (numpy's default for `[]`).
 */
export function readStringListAttr(obj: H5Group, name: string): string[] | null {
  const attrs = obj.attrs;
  if (Object.hasOwn(attrs, name)) return attrStrings(attrs[name]?.value ?? null);
  if (!Object.hasOwn(attrs, `${name}0`)) return null;
  const out: string[] = [];
  for (let i = 0; Object.hasOwn(attrs, `${name}${i}`); i++)
    out.push(...attrStrings(attrs[`${name}${i}`]?.value ?? null));
  return out;
}

/** Flattens whatever h5wasm returned for a string-ish attribute into strings. */
function attrStrings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [stripNul(value)];
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return [String(value)];
  if (value instanceof Uint8Array || value instanceof Int8Array) {
    return value.length === 0
      ? []
      : [stripNul(new TextDecoder().decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)))];
  }
  if (ArrayBuffer.isView(value)) {
    // A numeric array: an empty one is numpy's `[]`; anything else is not text.
    if ((value as unknown as ArrayLike<number>).length === 0) return [];
    throw new Error(`expected text, found a numeric array`);
  }
  if (Array.isArray(value)) return value.flatMap((v) => attrStrings(v));
  throw new Error(`expected text, found ${typeof value}`);
}

function stripNul(s: string): string {
  const at = s.indexOf("\0");
  return at >= 0 ? s.slice(0, at) : s;
}

/**
 * A dataset's values as float32. Keras writes float32; float64 and integer arrays are converted.
 * `where` names the weight in errors.
 */
export function readFloatDataset(ds: H5Dataset, where: string): StoredArray {
  const shape = ds.shape ?? [];
  const value = ds.value;
  let values: Float32Array;
  if (value instanceof Float32Array) values = value;
  else if (
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    value instanceof Int16Array ||
    value instanceof Uint16Array ||
    value instanceof Uint32Array ||
    (value instanceof Int8Array && ds.metadata.type === 0) ||
    (value instanceof Uint8Array && ds.metadata.type === 0)
  ) {
    values = Float32Array.from(value);
  } else if (typeof value === "number") {
    values = new Float32Array([value]);
  } else {
    throw new Error(`${where} has data type ${JSON.stringify(ds.dtype)}, which cannot be read as float32 weights`);
  }
  const expected = shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected)
    throw new Error(`${where} holds ${values.length} values but its shape [${shape.join(", ")}] needs ${expected}`);
  return { shape, values };
}
