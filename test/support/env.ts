import { afterAll, beforeAll, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env/env";

/**
 * The file's tests run with these environment variables (getEnv() read afresh), and the
 * environment is restored after them.
 */
export function useEnv(vars: Record<string, string>): void {
  beforeAll(() => {
    for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
    resetEnvForTests();
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    resetEnvForTests();
  });
}
