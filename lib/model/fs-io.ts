import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { io } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { withDepthMultipliers } from "@/lib/model/depth-multiplier";
import { MODEL_FILE } from "@/lib/model/metadata";

/** Shard size tensorflowjs_converter uses; keeps files small enough for any file server. */
const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * A TF.js IOHandler over a local folder (`model.json` + `group1-shardXofY.bin`), usable on every
 * backend: the pure-JS tfjs package has no file:// handler (only tfjs-node registers one).
 * Loading reads what tensorflowjs_converter writes for Keras; saving writes the same layout.
 */
export function fileSystemIOHandler(tf: Tf, dir: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const file = path.join(dir, MODEL_FILE);
      let modelJSON: io.ModelJSON;
      try {
        modelJSON = JSON.parse(await fs.readFile(file, "utf8")) as io.ModelJSON;
      } catch (err) {
        throw new Error(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!modelJSON || typeof modelJSON !== "object" || !modelJSON.modelTopology) {
        throw new Error(`${file} has no modelTopology; is it a TF.js Layers model?`);
      }
      // Built by hand rather than with tf.io.getModelArtifactsForJSON / CompositeArrayBuffer, which
      // older tfjs releases (the native accelerator's tfjs 2.7) do not have.
      const specs: io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of modelJSON.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const rel of group.paths) buffers.push(await readShard(dir, rel));
      }
      return withDepthMultipliers({
        modelTopology: modelJSON.modelTopology,
        weightSpecs: specs,
        weightData: joinBuffers(buffers),
        format: modelJSON.format,
        generatedBy: modelJSON.generatedBy,
        convertedBy: modelJSON.convertedBy,
        ...(modelJSON.trainingConfig ? { trainingConfig: modelJSON.trainingConfig } : {}),
        ...(modelJSON.signature ? { signature: modelJSON.signature } : {}),
        ...(modelJSON.userDefinedMetadata ? { userDefinedMetadata: modelJSON.userDefinedMetadata } : {}),
      });
    },

    async save(given: io.ModelArtifacts): Promise<io.SaveResult> {
      const artifacts = withDepthMultipliers(given);
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error("binary model topologies are not supported");
      await fs.mkdir(dir, { recursive: true });
      const data = joinBuffers(
        artifacts.weightData === undefined
          ? []
          : Array.isArray(artifacts.weightData)
            ? artifacts.weightData
            : [artifacts.weightData],
      );
      const count = Math.max(1, Math.ceil(data.byteLength / SHARD_BYTES));
      const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      for (const [i, name] of paths.entries()) {
        await fs.writeFile(
          path.join(dir, name),
          new Uint8Array(data, i * SHARD_BYTES, Math.min(SHARD_BYTES, data.byteLength - i * SHARD_BYTES)),
        );
      }
      const modelJSON: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await fs.writeFile(path.join(dir, MODEL_FILE), JSON.stringify(modelJSON));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Reads one shard named in model.json, refusing paths that leave the model folder. */
async function readShard(dir: string, rel: string): Promise<ArrayBuffer> {
  const root = path.resolve(dir);
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) throw new Error(`weight path ${rel} escapes the model folder`);
  if (!fsSync.existsSync(file)) throw new Error(`weight shard ${rel} listed in ${MODEL_FILE} is missing from ${dir}`);
  const buf = await fs.readFile(file);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** One ArrayBuffer from several (a single one is returned as is). */
export function joinBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  if (buffers.length === 1) return buffers[0]!;
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}
