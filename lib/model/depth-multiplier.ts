import type { io } from "@tensorflow/tfjs";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isJsonObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * tfjs-layers' SeparableConv2D leaves `depth_multiplier` out of the config it saves (4.22 and
 * earlier), so a saved model whose multiplier is not 1 no longer loads: the rebuilt layer expects
 * depthwise kernels [kh, kw, in, 1]. The multiplier is the last dimension of the saved depthwise
 * kernel, so it is put back from the weight specs (fileSystemIOHandler does so on every save and load). Returns the artifacts unchanged when nothing is missing.
 */
export function withDepthMultipliers(artifacts: io.ModelArtifacts): io.ModelArtifacts {
  const topology = artifacts.modelTopology;
  if (!isJsonObject(topology)) return artifacts;
  const shapes = new Map((artifacts.weightSpecs ?? []).map((s) => [s.name, s.shape]));
  const copy = JSON.parse(JSON.stringify(topology)) as Json;
  let changed = false;
  for (const layer of layerEntries(copy)) {
    const config = layer.config;
    if (layer.class_name !== "SeparableConv2D" || !isJsonObject(config) || config.depth_multiplier != null) continue;
    const shape = shapes.get(`${String(config.name)}/depthwise_kernel`);
    if (shape?.length === 4 && shape[3] !== 1) {
      config.depth_multiplier = shape[3]!;
      changed = true;
    }
  }
  return changed ? { ...artifacts, modelTopology: copy as io.ModelArtifacts["modelTopology"] } : artifacts;
}

/** The layer entries of a Keras / tfjs topology ({model_config: …} or {class_name, config}). */
function layerEntries(topology: Json): { class_name?: Json; config?: Json }[] {
  const root = isJsonObject(topology) && isJsonObject(topology.model_config) ? topology.model_config : topology;
  if (!isJsonObject(root)) return [];
  const config = root.config;
  const layers = Array.isArray(config)
    ? config
    : isJsonObject(config) && Array.isArray(config.layers)
      ? config.layers
      : [];
  return layers.filter(isJsonObject);
}
