import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { io } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler, joinBuffers } from "@/lib/model/fs-io";
import { MODEL_FILE } from "@/lib/model/metadata";
import { isJsonObject } from "@/training/keras-import/keras-config";
import type { KerasSource, StoredWeight } from "@/training/keras-import/source";

/**
 * Reads a TF.js Layers model folder (`model.json` + shards), as tensorflowjs_converter writes it
 * from Keras or tfjs saves it. Its topology goes through the same translation as a Keras file
 * (converters that read Keras 3 copy Keras 3 JSON into it). Weights are keyed by tfjs' own full
 * names ("conv2d_1/kernel"), which is also how tfjs-layers itself matches them.
 */
export async function readTfjsFolder(tf: Tf, dir: string): Promise<KerasSource> {
  // fileSystemIOHandler puts back the SeparableConv2D depth multipliers tfjs leaves out when it saves.
  const artifacts = await fileSystemIOHandler(tf, dir).load!();
  if (artifacts.format === "graph-model") {
    throw new Error(
      `${path.join(dir, MODEL_FILE)} is a TF.js graph model (a frozen TensorFlow graph), not a Layers model; it has no Keras layers to import`,
    );
  }
  const topology = artifacts.modelTopology;
  if (!isJsonObject(topology)) throw new Error(`${path.join(dir, MODEL_FILE)} has no JSON modelTopology`);
  const weights = decode(tf, artifacts);
  const claimed = new Set<string>();
  const version =
    topology.keras_version ?? (isJsonObject(topology.model_config) ? topology.model_config.keras_version : null);
  return {
    format: "tfjs-layers",
    path: dir,
    sha256: await folderSha256(dir),
    kerasVersion: typeof version === "string" ? version : null,
    backend: typeof topology.backend === "string" ? topology.backend : null,
    modelConfig: topology,
    weightsFor(layer, variableNames) {
      // By tfjs' names first; a converter that scoped names differently still groups by layer.
      let found = variableNames.map((n) => weights.get(n)).filter((w): w is StoredWeight => w !== undefined);
      if (found.length === 0)
        found = [...weights.values()].filter((w) => w.name.split("/").slice(0, -1).includes(layer.name));
      for (const w of found) claimed.add(w.name);
      return found.length > 0 ? found : null;
    },
    locate: (layer) => `weights named ${layer.name}/… in ${MODEL_FILE}'s weightsManifest`,
    unclaimed: () => [...weights.keys()].filter((n) => !claimed.has(n)),
  };
}

/** The shards' weights as float32 arrays (tfjs dequantizes uint8/uint16/float16 weights here). */
function decode(tf: Tf, artifacts: io.ModelArtifacts): Map<string, StoredWeight> {
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData;
  const tensors = tf.io.decodeWeights(
    joinBuffers(data === undefined ? [] : Array.isArray(data) ? data : [data]),
    specs,
  );
  const out = new Map<string, StoredWeight>();
  for (const spec of specs) {
    const t = tensors[spec.name];
    if (!t) continue;
    out.set(spec.name, { name: spec.name, shape: [...t.shape], values: Float32Array.from(t.dataSync()) });
  }
  tf.dispose(tensors);
  return out;
}

/** SHA-256 over model.json and its shards in manifest order: what the folder holds, byte for byte. */
async function folderSha256(dir: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  const json = await fs.readFile(path.join(dir, MODEL_FILE));
  hash.update(json);
  const manifest = (JSON.parse(json.toString("utf8")) as io.ModelJSON).weightsManifest ?? [];
  for (const group of manifest) for (const rel of group.paths) hash.update(await fs.readFile(path.join(dir, rel)));
  return hash.digest("hex");
}
