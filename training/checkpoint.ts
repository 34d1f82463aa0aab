/**
 * Checkpoints of a resumable run (`npm run train --resume`): `<dir>/last` holds the weights, the
 * optimiser's moments and the loop's state after the latest epoch; `<dir>/best` the weights of the
 * epoch with the best validation loss so far. Each is written through a temp folder and renamed.
 */
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { LayersModel, Optimizer, Tensor, io } from "@tensorflow/tfjs";
import type { Tf } from "@/lib/tf/tf";
import { fileSystemIOHandler, joinBuffers } from "@/lib/model/fs-io";
import type { FitState } from "@/training/fit";

/** Everything a resumed run needs besides weights; lives in `<checkpoint>/last/state.json`. */
export interface TrainState extends FitState {
  version: 1;
  /** dataFingerprint() of the images the run trains on: a resumed run must see the same ones. */
  fingerprint: string;
}

export type CheckpointName = "last" | "best";

const OPTIMIZER_FILE = "optimizer.bin";
const OPTIMIZER_SPECS = "optimizer.json";
const STATE_FILE = "state.json";

/** Writes `<dir>/<name>` via a temp folder and renames, so a crash never leaves half a checkpoint. */
export async function saveCheckpoint(
  tf: Tf,
  dir: string,
  name: CheckpointName,
  model: LayersModel,
  optimizer: Optimizer | null,
  state: TrainState | null,
): Promise<void> {
  const target = path.join(dir, name);
  const tmp = `${target}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  await model.save(fileSystemIOHandler(tf, tmp));
  if (optimizer) {
    const weights = await optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(weights);
    await fs.writeFile(
      path.join(tmp, OPTIMIZER_FILE),
      new Uint8Array(joinBuffers(Array.isArray(data) ? data : [data])),
    );
    await fs.writeFile(path.join(tmp, OPTIMIZER_SPECS), JSON.stringify(specs));
  }
  if (state) await fs.writeFile(path.join(tmp, STATE_FILE), JSON.stringify(state, null, 1));
  const old = `${target}.old`;
  await fs.rm(old, { recursive: true, force: true });
  if (fsSync.existsSync(target)) await fs.rename(target, old);
  await fs.rename(tmp, target);
  await fs.rm(old, { recursive: true, force: true });
}

/** `<dir>/<name>`, or its `.old` twin if a crash came between the two renames. */
export async function findCheckpoint(dir: string, name: CheckpointName): Promise<string | null> {
  const marker = name === "last" ? STATE_FILE : "model.json";
  for (const candidate of [path.join(dir, name), path.join(dir, `${name}.old`)]) {
    if (fsSync.existsSync(path.join(candidate, marker))) return candidate;
  }
  return null;
}

/** The loop's state saved with a "last" checkpoint. */
export async function readCheckpointState(checkpoint: string): Promise<TrainState> {
  return JSON.parse(await fs.readFile(path.join(checkpoint, STATE_FILE), "utf8")) as TrainState;
}

/** The optimiser's moments saved with a "last" checkpoint, for Optimizer.setWeights. */
export async function readOptimizerWeights(tf: Tf, checkpoint: string): Promise<{ name: string; tensor: Tensor }[]> {
  const specs = JSON.parse(
    await fs.readFile(path.join(checkpoint, OPTIMIZER_SPECS), "utf8"),
  ) as io.WeightsManifestEntry[];
  const buf = await fs.readFile(path.join(checkpoint, OPTIMIZER_FILE));
  const map = tf.io.decodeWeights(
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    specs,
  );
  return specs.map((s) => {
    const tensor = map[s.name];
    if (!tensor) throw new Error(`optimizer state in ${checkpoint} lacks ${s.name}`);
    return { name: s.name, tensor };
  });
}
