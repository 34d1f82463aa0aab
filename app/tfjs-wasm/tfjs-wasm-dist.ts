import "server-only";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * The WebAssembly binaries of @tensorflow/tfjs-backend-wasm as installed in node_modules: the live
 * view's WASM backend loads them from the app itself, never from a CDN. Resolved from the app's
 * folder at run time (as /docs finds swagger-ui), not bundled.
 */

/** The binaries the backend may ask for (plain, SIMD, threaded SIMD): nothing else of the package is served. */
export const TFJS_WASM_FILES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
] as const;

let found: { dir: string; version: string } | undefined;

export function tfjsWasmDist(): { dir: string; version: string } {
  if (!found) {
    const manifest = createRequire(path.join(process.cwd(), "package.json")).resolve(
      "@tensorflow/tfjs-backend-wasm/package.json",
    );
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
    found = { dir: path.join(path.dirname(manifest), "dist"), version };
  }
  return found;
}

/** `/tfjs-wasm/<version>/`: the folder URL tfjs' setWasmPaths takes; the version lets browsers keep the files for good. */
export function tfjsWasmBaseUrl(): string {
  return `/tfjs-wasm/${tfjsWasmDist().version}/`;
}
