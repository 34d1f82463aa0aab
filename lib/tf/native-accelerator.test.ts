// In a file of its own: vitest runs each file in its own process, and the accelerator's tfjs 2.7
// must not share one with the app's tfjs 4 (both keep their kernel registry on globalThis).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getEnv, resetEnvForTests } from "@/lib/env/env";
import { allowNativeAccelerator, getTf, resetTfRuntimeForTests } from "@/lib/tf/backend";

/** Where `npm run native:install` puts the accelerator; absent in CI and on a fresh clone. */
const installed = fs.existsSync(path.join(getEnv().nativeDir, "node_modules/@tensorflow/tfjs-node/package.json"));
let regularInstalled = true;
try {
  await import(/* @vite-ignore */ ["@tensorflow", "tfjs-node"].join("/"));
} catch {
  regularInstalled = false;
}

function forceNode(env: Record<string, string> = {}): void {
  vi.stubEnv("TFJS_BACKEND", "node");
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  resetEnvForTests();
  resetTfRuntimeForTests();
}

describe.skipIf(regularInstalled)(
  "the native accelerator (where @tensorflow/tfjs-node itself is not installed)",
  () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      resetEnvForTests();
      resetTfRuntimeForTests();
    });

    it("is never loaded by a process that did not allow it (the web server): TFJS_BACKEND=node is then an error", async () => {
      forceNode();
      await expect(getTf()).rejects.toThrow(/TFJS_BACKEND=node was requested but is not available/);
    });

    it("allowed but not installed where TFJS_NATIVE_DIR points: an error, not a fallback", async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "el-native-"));
      forceNode({ TFJS_NATIVE_DIR: empty });
      allowNativeAccelerator();
      await expect(getTf()).rejects.toThrow(/TFJS_BACKEND=node was requested but is not available/);
      fs.rmSync(empty, { recursive: true, force: true });
    });

    it.skipIf(!installed)(
      "allowed and installed: it is the node backend, says so, and computes (skipped until `npm run native:install`)",
      async () => {
        forceNode();
        allowNativeAccelerator();
        const rt = await getTf();
        expect(rt).toMatchObject({ choice: "node", backend: "tensorflow" });
        expect(rt.reason).toMatch(/native accelerator: tfjs-node 2\.7\.0/);
        const y = rt.tf.matMul(rt.tf.ones([2, 3]), rt.tf.ones([3, 2]));
        expect(Array.from(y.dataSync())).toEqual([3, 3, 3, 3]);
      },
    );
  },
);
