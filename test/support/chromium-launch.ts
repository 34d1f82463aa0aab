import fs from "node:fs";
import { getEnv } from "@/lib/env/env";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The Chromium binary for browser tests: CHROMIUM_PATH, else the usual system locations. Browsers
 * are never downloaded. Returns null where none is installed, so the test can skip with a message;
 * CI must have one (`.ci/run` installs Debian's chromium), so there a missing browser is an error.
 */
export function findChromium(): string | null {
  const env = getEnv();
  const candidates = env.CHROMIUM_PATH
    ? [env.CHROMIUM_PATH]
    : ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const found = candidates.find((p) => fs.existsSync(p)) ?? null;
  if (!found && env.CI) throw new Error(`No Chromium for browser tests (looked at ${candidates.join(", ")}).`);
  if (!found)
    console.warn("Skipping the browser tests: no Chromium found (set CHROMIUM_PATH, or apt-get install chromium).");
  return found;
}
