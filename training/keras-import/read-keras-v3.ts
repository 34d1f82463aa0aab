import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { strFromU8, unzipSync, type Unzipped } from "fflate";
import { z } from "zod";
import {
  getGroup,
  hdf5Reason,
  isDataset,
  openHdf5,
  readFloatDataset,
  type H5Group,
} from "@/training/keras-import/hdf5";
import { kerasConfigLayers, kerasSnakeCase } from "@/training/keras-import/keras-config";
import { closeQuietly } from "@/training/keras-import/read-keras-h5";
import { groupedWeights, type KerasSource, type StoredWeight } from "@/training/keras-import/source";

const CONFIG_FILE = "config.json";
const METADATA_FILE = "metadata.json";
const WEIGHTS_FILE = "model.weights.h5";

/** `metadata.json` of a .keras archive; only the version is used. */
const kerasMetadataSchema = z.looseObject({ keras_version: z.string().optional() });

/**
 * Reads a Keras 3 `.keras` archive (a zip of config.json, metadata.json and model.weights.h5).
 *
 * Keras 3 does not key weights by layer name: `saving_lib` walks `model.layers` in order and names
 * each layer's group after its class in snake_case, numbered per class (`layers/conv2d`,
 * `layers/conv2d_1`, `layers/batch_normalization`, …), with the variables in `<group>/vars/0, 1, …`.
 * Archives written by tf.keras 2.13-2.15 use `_layer_checkpoint_dependencies/` instead of `layers/`
 * (Keras 3's own loader falls back the same way).
 */
export async function readKerasV3(file: string, bytes: Uint8Array, sha256: string): Promise<KerasSource> {
  let files: Unzipped;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new Error(
      `Cannot read ${file} as a zip archive (is it truncated or corrupt?): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const configBytes = files[CONFIG_FILE];
  if (!configBytes) throw new Error(`${file} is a zip archive without ${CONFIG_FILE}; it is not a Keras .keras file`);
  const modelConfig = parseJson(file, CONFIG_FILE, configBytes);
  const metadataBytes = files[METADATA_FILE];
  const metadata = metadataBytes ? kerasMetadataSchema.safeParse(parseJson(file, METADATA_FILE, metadataBytes)) : null;
  const kerasVersion = metadata?.success ? (metadata.data.keras_version ?? null) : null;
  const weights = files[WEIGHTS_FILE];
  if (!weights) {
    const other = files["model.weights.npz"]
      ? " (it has model.weights.npz: NumPy weight archives are not supported)"
      : "";
    throw new Error(`${file} has no ${WEIGHTS_FILE}${other}`);
  }

  // h5wasm reads files through the host filesystem, so the inner file goes to a temporary folder.
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "keras-import-"));
  try {
    const weightsFile = path.join(tmp, WEIGHTS_FILE);
    await fs.writeFile(weightsFile, weights);
    const groups = await readLayerVars(file, weightsFile, kerasConfigLayers(modelConfig));
    return {
      format: "keras-v3",
      path: file,
      sha256,
      kerasVersion,
      backend: null,
      modelConfig,
      ...groupedWeights(
        groups.byLayer,
        (l) => `${WEIGHTS_FILE}: ${groups.paths.get(l.name) ?? `layers/${l.name}`}/vars`,
      ),
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function parseJson(file: string, inner: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (err) {
    throw new Error(`${file}: ${inner} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

interface LayerVars {
  byLayer: Map<string, StoredWeight[]>;
  /** Layer name → its group path in the weights file. */
  paths: Map<string, string>;
}

async function readLayerVars(
  file: string,
  weightsFile: string,
  layers: { name: string; className: string }[],
): Promise<LayerVars> {
  const h5 = await openHdf5(weightsFile).catch((err: unknown) => {
    throw new Error(
      `${file}: ${WEIGHTS_FILE} ${err instanceof Error ? err.message.replace(/^Cannot read \S+ as HDF5/, "cannot be read as HDF5") : String(err)}`,
    );
  });
  try {
    const rootName = getGroup(h5, "layers")
      ? "layers"
      : getGroup(h5, "_layer_checkpoint_dependencies")
        ? "_layer_checkpoint_dependencies"
        : null;
    if (!rootName) throw new Error(`${file}: ${WEIGHTS_FILE} has no layers/ group; it is not a Keras 3 weights file`);
    const root = getGroup(h5, rootName)!;
    const byLayer = new Map<string, StoredWeight[]>();
    const paths = new Map<string, string>();
    const perClass = new Map<string, number>();
    const used = new Set<string>();
    for (const layer of layers) {
      const base = kerasSnakeCase(layer.className);
      const n = perClass.get(base);
      perClass.set(base, n === undefined ? 0 : n + 1);
      const key = n === undefined ? base : `${base}_${n + 1}`;
      used.add(key);
      paths.set(layer.name, `${rootName}/${key}`);
      const vars = getGroup(root, `${key}/vars`);
      if (vars) byLayer.set(layer.name, readVars(file, `${rootName}/${key}/vars`, vars));
    }
    // Weights under a group no config layer maps to would otherwise be silently ignored.
    for (const key of root.keys()) {
      if (used.has(key)) continue;
      const vars = getGroup(root, `${key}/vars`);
      if (vars && vars.keys().length > 0)
        byLayer.set(`${rootName}/${key}`, readVars(file, `${rootName}/${key}/vars`, vars));
    }
    return { byLayer, paths };
  } catch (err) {
    if (err instanceof Error && /#\d+:/.test(err.message))
      throw new Error(`Cannot read ${file} (is it truncated or corrupt?): ${hdf5Reason(err)}`);
    throw err;
  } finally {
    closeQuietly(h5);
  }
}

/** `vars/0`, `vars/1`, … in numeric order (HDF5 lists keys alphabetically: 0, 1, 10, 2, …). */
function readVars(file: string, where: string, vars: H5Group): StoredWeight[] {
  const keys = vars.keys();
  if (keys.some((k) => !/^\d+$/.test(k)))
    throw new Error(`${file}: ${where} holds unexpected entries ${JSON.stringify(keys)}`);
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((i, at) => {
      if (i !== at) throw new Error(`${file}: ${where} is missing variable ${at}`);
      const ds = vars.get(String(i));
      if (!isDataset(ds)) throw new Error(`${file}: ${where}/${i} is not a dataset`);
      return { name: `${where}/${i}`, ...readFloatDataset(ds, `${file}: ${where}/${i}`) };
    });
}
