/**
 * Tests only: writes a tfjs model in the formats Keras writes, the way Keras writes them, so the
 * importer can be checked against files whose content is known. Deliberately shares no code with
 * the importer's readers or its config translation: a bug there must not cancel out here.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LayersModel } from "@tensorflow/tfjs";
import { strToU8, zipSync } from "fflate";

type Obj = Record<string, unknown>;
/** A layer entry of a Keras functional config: { class_name, name, config, inbound_nodes }. */
export interface ConfigLayer {
  class_name: string;
  name: string;
  config: Obj;
  inbound_nodes: [string, number, number, Obj][][];
}

async function h5(): Promise<typeof import("h5wasm/node").default> {
  const mod = await import("h5wasm/node");
  await mod.default.ready;
  return mod.default;
}

/**
 * The model's Keras 2 JSON as tfjs writes it, plus the SeparableConv2D depth_multiplier Keras
 * writes and tfjs' own serialisation leaves out; a fresh copy each call.
 */
export function keras2Config(
  model: LayersModel,
): { class_name: string; config: { layers: ConfigLayer[] } & Obj } & Obj {
  const config = JSON.parse(JSON.stringify(model.toJSON(null, false))) as {
    class_name: string;
    config: { layers: ConfigLayer[] } & Obj;
  } & Obj;
  for (const layer of config.config.layers) {
    if (layer.class_name === "SeparableConv2D")
      layer.config.depth_multiplier = model.getLayer(layer.name).weights[0]!.shape[3];
  }
  return config;
}

/** Fixed-length byte strings, as h5py stores numpy `bytes` arrays (Keras' layer_names / weight_names). */
function fixedLength(values: string[]): string {
  return `S${Math.max(1, ...values.map((v) => Buffer.byteLength(v)))}`;
}

export interface Keras2H5Options {
  /** Change the config before it is stored (e.g. turn a layer into a Lambda). */
  editConfig?: (layers: ConfigLayer[]) => void;
  /** Layers whose weight group is left out. */
  omitWeights?: string[];
}

/**
 * A Keras 2 full-model HDF5 file: root attributes model_config (JSON, class "Functional" as tf.keras
 * 2.4+ writes it), keras_version and backend as byte strings; `model_weights/<layer>/` groups with a
 * `weight_names` attribute and datasets at `<layer>/<layer>/kernel:0`.
 */
export async function writeKeras2H5(model: LayersModel, file: string, options: Keras2H5Options = {}): Promise<void> {
  const lib = await h5();
  const config = keras2Config(model);
  config.class_name = "Functional";
  options.editConfig?.(config.config.layers);
  const f = new lib.File(file, "w");
  try {
    f.create_attribute("model_config", JSON.stringify(config));
    f.create_attribute("keras_version", "2.4.0", null, "S5");
    f.create_attribute("backend", "tensorflow", null, "S10");
    const root = f.create_group("model_weights");
    const layers = model.layers.filter((l) => !options.omitWeights?.includes(l.name));
    const layerNames = layers.map((l) => l.name);
    root.create_attribute("layer_names", layerNames, null, fixedLength(layerNames));
    for (const layer of layers) {
      const group = root.create_group(layer.name);
      const names = layer.weights.map((w) => `${w.originalName}:0`);
      // numpy writes an empty list as an empty float64 array.
      if (names.length === 0) group.create_attribute("weight_names", new Float64Array(0));
      else group.create_attribute("weight_names", names, null, fixedLength(names));
      layer.getWeights().forEach((t, i) => {
        const parts = names[i]!.split("/");
        let at = group;
        for (const part of parts.slice(0, -1)) at = (at.get(part) as typeof group | null) ?? at.create_group(part);
        at.create_dataset({
          name: parts.at(-1)!,
          data: Float32Array.from(t.dataSync()),
          shape: [...t.shape],
          dtype: "<f",
        });
      });
    }
  } finally {
    f.close();
  }
}

/** Keras 3's group name for each class the test models use (keras.src.utils.naming.to_snake_case). */
const KERAS3_GROUP: Record<string, string> = {
  InputLayer: "input_layer",
  Conv2D: "conv2d",
  SeparableConv2D: "separable_conv2d",
  BatchNormalization: "batch_normalization",
  Activation: "activation",
  Add: "add",
  MaxPooling2D: "max_pooling2d",
  GlobalAveragePooling2D: "global_average_pooling2d",
  Dense: "dense",
};

const FLOAT32_POLICY = {
  module: "keras",
  class_name: "DTypePolicy",
  config: { name: "float32" },
  registered_name: null,
};

/** The tfjs (Keras 2) config rewritten the way Keras 3 serialises it. */
export function keras3Config(model: LayersModel): Obj {
  const k2 = keras2Config(model);
  const tensor = ([layer, node, index]: [string, number, number, Obj]) => ({
    class_name: "__keras_tensor__",
    config: { shape: [null], dtype: "float32", keras_history: [layer, node, index] },
  });
  const layers = k2.config.layers.map((l) => {
    const config: Obj = { ...l.config, dtype: FLOAT32_POLICY };
    if (l.class_name === "InputLayer") {
      config.batch_shape = config.batch_input_shape;
      delete config.batch_input_shape;
      config.dtype = "float32";
    }
    for (const key of Object.keys(config)) {
      const v = config[key] as Obj | null;
      if (key.endsWith("_initializer") && v && typeof v === "object") {
        config[key] = {
          module: "keras.initializers",
          class_name: v.class_name,
          config: v.config,
          registered_name: null,
        };
      }
    }
    // Keys Keras 3 writes that tfjs does not know, at their neutral values.
    if (l.class_name === "Conv2D") config.groups = 1;
    if (l.class_name === "BatchNormalization") config.synchronized = false;
    return {
      module: "keras.layers",
      class_name: l.class_name,
      config,
      registered_name: null,
      name: l.name,
      build_config: { input_shape: null },
      // Merge layers take their inputs as one list argument; the others as one tensor.
      inbound_nodes: l.inbound_nodes.map((node) => ({
        args: node.length === 1 ? [tensor(node[0]!)] : [node.map(tensor)],
        kwargs: {},
      })),
    };
  });
  return {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: {
      name: k2.config.name,
      trainable: true,
      layers,
      input_layers: k2.config.input_layers,
      output_layers: k2.config.output_layers,
    },
    registered_name: "Functional",
    build_config: { input_shape: null },
    compile_config: null,
  };
}

export interface Keras3Options {
  /** Layers whose `vars` are left out. */
  omitWeights?: string[];
  /** Group holding the layers: "layers" (Keras 3) or "_layer_checkpoint_dependencies" (tf.keras 2.13-2.15). */
  root?: string;
}

/**
 * A Keras 3 `.keras` archive: metadata.json, config.json and model.weights.h5, where each layer's
 * variables sit at `layers/<class in snake_case>[_n]/vars/<i>`, numbered per class in layer order.
 */
export async function writeKeras3Archive(model: LayersModel, file: string, options: Keras3Options = {}): Promise<void> {
  const lib = await h5();
  const config = keras3Config(model);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "keras3-writer-"));
  try {
    const weightsFile = path.join(tmp, "model.weights.h5");
    const f = new lib.File(weightsFile, "w");
    try {
      f.create_group("vars");
      const layersGroup = f.create_group(options.root ?? "layers");
      const perClass = new Map<string, number>();
      for (const entry of keras2Config(model).config.layers) {
        const base = KERAS3_GROUP[entry.class_name];
        if (!base) throw new Error(`no Keras 3 group name for ${entry.class_name} in this test writer`);
        const n = perClass.get(base) ?? 0;
        perClass.set(base, n + 1);
        const vars = layersGroup.create_group(n === 0 ? base : `${base}_${n}`).create_group("vars");
        if (options.omitWeights?.includes(entry.name)) continue;
        model
          .getLayer(entry.name)
          .getWeights()
          .forEach((t, i) => {
            vars.create_dataset({
              name: String(i),
              data: Float32Array.from(t.dataSync()),
              shape: [...t.shape],
              dtype: "<f",
            });
          });
      }
      // Optimizer state sits beside the layers and is not part of the model.
      f.create_group("optimizer")
        .create_group("vars")
        .create_dataset({ name: "0", data: new Float32Array([100]), shape: [], dtype: "<f" });
    } finally {
      f.close();
    }
    const zip = zipSync({
      "metadata.json": strToU8(JSON.stringify({ keras_version: "3.6.0", date_saved: "2024-10-01@12:00:00" })),
      "config.json": strToU8(JSON.stringify(config)),
      "model.weights.h5": new Uint8Array(await fs.readFile(weightsFile)),
    });
    await fs.writeFile(file, zip);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
