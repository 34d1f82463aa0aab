import {
  getGroup,
  hdf5Reason,
  isDataset,
  openHdf5,
  readFloatDataset,
  readStringAttr,
  readStringListAttr,
} from "@/training/keras-import/hdf5";
import { groupedWeights, type KerasSource, type StoredWeight } from "@/training/keras-import/source";

/**
 * Reads a Keras 2 full-model HDF5 file (`model.save("x.h5")`): root attributes `model_config`
 * (JSON), `keras_version`, `backend`; weights in `model_weights/<layer>/`, listed in order by the
 * layer group's `weight_names` attribute. Keras 3's legacy `.h5` uses the same layout.
 */
export async function readKerasH5(file: string, sha256: string): Promise<KerasSource> {
  const h5 = await openHdf5(file);
  try {
    const configText = readStringAttr(h5, "model_config");
    if (configText === null) {
      if (readStringListAttr(h5, "layer_names") !== null) {
        throw new Error(
          `${file} holds only weights (Keras save_weights) and no model_config; import a file written by model.save()`,
        );
      }
      if (getGroup(h5, "layers") || getGroup(h5, "_layer_checkpoint_dependencies")) {
        throw new Error(
          `${file} is a Keras 3 weights file (.weights.h5) without the architecture; import the .keras file written by model.save()`,
        );
      }
      throw new Error(`${file} is an HDF5 file without a model_config attribute; it is not a Keras model`);
    }
    let modelConfig: unknown;
    try {
      modelConfig = JSON.parse(configText);
    } catch (err) {
      throw new Error(`${file}: model_config is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const kerasVersion = readStringAttr(h5, "keras_version");
    const backend = readStringAttr(h5, "backend");
    if (kerasVersion?.startsWith("1.")) {
      throw new Error(
        `${file} was written by Keras ${kerasVersion}; Keras 1 configs are not supported (load it in Keras 2 and save it again)`,
      );
    }
    if (backend === "theano") {
      // Theano stores convolution kernels flipped; Keras itself converts them on load.
      throw new Error(
        `${file} was written with the Theano backend, whose convolution kernels are flipped; re-save it with the TensorFlow backend`,
      );
    }
    const root = getGroup(h5, "model_weights");
    if (!root) throw new Error(`${file} has a model_config but no model_weights group; was it saved without weights?`);
    const layerNames = readStringListAttr(root, "layer_names") ?? root.keys();
    const groups = new Map<string, StoredWeight[]>();
    for (const layer of layerNames) {
      const group = getGroup(root, layer);
      if (!group) continue;
      const names = readStringListAttr(group, "weight_names") ?? [];
      groups.set(
        layer,
        names.map((name) => {
          const ds = group.get(name);
          if (!isDataset(ds))
            throw new Error(`${file}: model_weights/${layer} lists weight ${name} but holds no such dataset`);
          return { name, ...readFloatDataset(ds, `${file}: model_weights/${layer}/${name}`) };
        }),
      );
    }
    return {
      format: "keras-h5",
      path: file,
      sha256,
      kerasVersion,
      backend,
      modelConfig,
      ...groupedWeights(groups, (l) => `model_weights/${l.name}`),
    };
  } catch (err) {
    // With the throwing handler, a read past the end of a truncated file fails here with HDF5's stack.
    if (err instanceof Error && /#\d+:/.test(err.message)) {
      throw new Error(`Cannot read ${file} (is it truncated or corrupt?): ${hdf5Reason(err)}`);
    }
    throw err;
  } finally {
    closeQuietly(h5);
  }
}

/** Closing after a failed read can fail too; the first error is the one worth reporting. */
export function closeQuietly(h5: { close(): unknown }): void {
  try {
    h5.close();
  } catch {
    // already reported
  }
}
