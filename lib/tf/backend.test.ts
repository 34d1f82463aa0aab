import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env/env";
import { resetTfRuntimeForTests } from "@/lib/tf/backend";

describe("getTf", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetEnvForTests();
    resetTfRuntimeForTests();
    vi.resetModules();
  });

  it("falls back to WASM with SIMD here, logs the choice once, and can train", async () => {
    vi.stubEnv("TFJS_BACKEND", "");
    resetEnvForTests();
    const log = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const { getTf } = await import("@/lib/tf/backend");
    const [a, b] = await Promise.all([getTf(), getTf()]);
    expect(a).toBe(b);
    const lines = log.mock.calls.filter((c) => String(c[0]).startsWith("[tfjs]"));
    expect(lines).toHaveLength(1);
    log.mockRestore();
    if (a.choice !== "wasm") return; // a machine with tfjs-node installed picks it instead
    expect(a.backend).toBe("wasm");
    expect(a.reason).toMatch(/SIMD/);
    expect(a.threads).toBeGreaterThanOrEqual(1);
    expect(a.tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
    expect(a.tf.getKernel("DepthwiseConv2dNativeBackpropFilter", "wasm")).toBeDefined();
  });

  it("a forced backend that is missing is an error", async () => {
    let nativeInstalled = true;
    try {
      await import(/* @vite-ignore */ ["@tensorflow", "tfjs-node-gpu"].join("/"));
    } catch {
      nativeInstalled = false;
    }
    if (nativeInstalled) return;
    vi.stubEnv("TFJS_BACKEND", "gpu");
    resetEnvForTests();
    resetTfRuntimeForTests();
    const { getTf } = await import("@/lib/tf/backend");
    await expect(getTf()).rejects.toThrow(/TFJS_BACKEND=gpu was requested but is not available/);
  });
});
