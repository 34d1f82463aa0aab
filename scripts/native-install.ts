/**
 * `npm run native:install` — optional native training accelerator for Linux x64.
 *
 * Where `npm install` could not fetch @tensorflow/tfjs-node's libtensorflow (it downloads it from
 * Google's storage at install time), this unpacks a prebuilt tfjs-node 2.7.0 + TensorFlow 1.15
 * that the npm package `tfjs-node-lambda-releases` (MIT) carries as brotli tarballs, into
 * TFJS_NATIVE_DIR (default .native/tfjs-node, git-ignored). Only the npm registry is contacted.
 * Training processes (worker, `npm run train`, `train:baseline`, `eval`, benchmarks) then pick it
 * as their "node" backend; the web server keeps WASM, since face detection needs the app's tfjs.
 * Remove it with `rm -rf .native`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { getEnv } from "@/lib/env/env";

const PACKAGE = "tfjs-node-lambda-releases@1.6.1";
/** The build for Node-API 6, which Node 12 and every later Node load. */
const TARBALL = "nodejs12.x-tf2.7.0.br";

async function main(): Promise<void> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `The accelerator is a Linux x64 build; this is ${process.platform} ${process.arch}. Install @tensorflow/tfjs-node instead.`,
    );
  }
  const target = getEnv().nativeDir;
  if (fs.existsSync(path.join(target, "node_modules", "@tensorflow", "tfjs-node", "package.json"))) {
    console.log(`Already installed in ${target}; checking it works …`);
    check(target);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "emotion-loop-native-"));
  try {
    console.log(`Fetching ${PACKAGE} from the npm registry (about 190 MB) …`);
    const packed = execFileSync("npm", ["pack", PACKAGE, "--pack-destination", work, "--silent"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .at(-1)!;
    execFileSync("tar", ["-xzf", path.join(work, packed), "-C", work, `package/${TARBALL}`]);
    const staging = `${target}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    console.log(`Unpacking ${TARBALL} …`);
    const tarFile = path.join(work, "accelerator.tar");
    await pipeline(
      fs.createReadStream(path.join(work, "package", TARBALL)),
      zlib.createBrotliDecompress(),
      fs.createWriteStream(tarFile),
    );
    execFileSync("tar", ["-xf", tarFile, "-C", staging]);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  check(target);
  console.log(
    `Installed in ${target}. Training processes now use it as their "node" backend (TFJS_BACKEND=node forces it).`,
  );
}

/** Loads the accelerator in a fresh process and runs one matrix product on it. */
function check(dir: string): void {
  const probe = `const tf = require(${JSON.stringify(path.join(dir, "node_modules", "@tensorflow", "tfjs-node"))});
const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
if (tf.getBackend() !== "tensorflow" || y[0] !== 3) throw new Error("unexpected result " + tf.getBackend() + " " + y[0]);
console.log("tfjs-node " + tf.version["tfjs-node"] + " on backend " + tf.getBackend() + ": ok");`;
  const run = spawnSync(process.execPath, ["-e", probe], {
    encoding: "utf8",
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" },
  });
  if (run.status !== 0) throw new Error(`The accelerator in ${dir} does not load here:\n${run.stderr.trim()}`);
  console.log(run.stdout.trim());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
