import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env/env";
import { resetTfRuntimeForTests } from "@/lib/tf/backend";

/** Whether a native TensorFlow.js package is installed here: a machine with one picks it over WASM. */
function installed(pkg: string): boolean {
  try {
    createRequire(__filename).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed("@tensorflow/tfjs-node") || installed("@tensorflow/tfjs-node-gpu");

describe("getTf", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetEnvForTests();
    resetTfRuntimeForTests();
    vi.resetModules();
  });

  it.skipIf(nativeInstalled)(
    "falls back to WASM with SIMD without a native package, logs the choice once, and can train",
    async () => {
      vi.stubEnv("TFJS_BACKEND", "");
      resetEnvForTests();
      const log = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const { getTf } = await import("@/lib/tf/backend");
      const [a, b] = await Promise.all([getTf(), getTf()]);
      expect(a).toBe(b);
      const lines = log.mock.calls.filter((c) => String(c[0]).startsWith("[tfjs]"));
      expect(lines).toHaveLength(1);
      log.mockRestore();
      expect(a.choice).toBe("wasm");
      expect(a.backend).toBe("wasm");
      expect(a.reason).toMatch(/SIMD/);
      expect(a.threads).toBeGreaterThanOrEqual(1);
      expect(a.tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
      expect(a.tf.getKernel("DepthwiseConv2dNativeBackpropFilter", "wasm")).toBeDefined();
    },
  );

  it.skipIf(installed("@tensorflow/tfjs-node-gpu"))("a forced backend that is missing is an error", async () => {
    vi.stubEnv("TFJS_BACKEND", "gpu");
    resetEnvForTests();
    resetTfRuntimeForTests();
    const { getTf } = await import("@/lib/tf/backend");
    await expect(getTf()).rejects.toThrow(/TFJS_BACKEND=gpu was requested but is not available/);
  });
});
