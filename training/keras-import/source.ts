import type { KerasLayerRef } from "@/training/keras-import/keras-config";

export const KERAS_FORMATS = ["keras-h5", "keras-v3", "tfjs-layers"] as const;
/** keras-h5: Keras 2 full-model HDF5; keras-v3: Keras 3 `.keras` zip; tfjs-layers: model.json + shards. */
export type KerasFormat = (typeof KERAS_FORMATS)[number];

/** One stored weight array; `name` is how the file calls it ("conv2d_1/kernel:0", "layers/dense/vars/0"). */
export interface StoredWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** A model file read into memory: its config as written, and its weights by layer. */
export interface KerasSource {
  format: KerasFormat;
  /** Absolute path of what was read (the folder, for a TF.js model). */
  path: string;
  /** SHA-256 of the file (TF.js: of model.json and its shards, in manifest order). */
  sha256: string;
  kerasVersion: string | null;
  /** The Keras backend that wrote it ("tensorflow", "jax", …), where recorded. */
  backend: string | null;
  /** The model config as stored, untranslated. */
  modelConfig: unknown;
  /**
   * The weights the file stores for one layer, in the file's order, or null when it has none.
   * `variableNames` are tfjs' names for the layer's weights ("conv2d_1/kernel"), which formats that
   * key weights by full name (TF.js) use to find them.
   */
  weightsFor(layer: KerasLayerRef, variableNames: readonly string[]): StoredWeight[] | null;
  /** Where the format keeps a layer's weights, for error messages. */
  locate(layer: KerasLayerRef): string;
  /** Stored weights no weightsFor() call asked for (by group or name). */
  unclaimed(): string[];
}

/**
 * weightsFor/unclaimed over weights grouped by layer name, which is how the Keras formats store
 * them; `describe` says where a layer's group would be.
 */
export function groupedWeights(
  groups: ReadonlyMap<string, StoredWeight[]>,
  describe: (layer: KerasLayerRef) => string,
): Pick<KerasSource, "weightsFor" | "locate" | "unclaimed"> {
  const claimed = new Set<string>();
  return {
    weightsFor(layer) {
      claimed.add(layer.name);
      return groups.get(layer.name) ?? null;
    },
    locate: describe,
    unclaimed() {
      return [...groups.entries()]
        .filter(([name, weights]) => weights.length > 0 && !claimed.has(name))
        .map(([name]) => name);
    },
  };
}
