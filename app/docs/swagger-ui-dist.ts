import "server-only";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * swagger-ui-dist as installed in node_modules: the reference at /docs is served from the app's
 * own packages, never from a CDN. Resolved from the app's folder at run time (as the face
 * detector finds its model files), not bundled.
 */

/** The files /docs loads, and their media types: nothing else of the package is served. */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

let found: { dir: string; version: string } | undefined;

export function swaggerUiDist(): { dir: string; version: string } {
  if (!found) {
    const manifest = createRequire(path.join(process.cwd(), "package.json")).resolve("swagger-ui-dist/package.json");
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
    found = { dir: path.dirname(manifest), version };
  }
  return found;
}

/** `/docs/assets/<version>/<file>`: the version in the path lets browsers keep the file for good. */
export function swaggerUiAssetUrl(file: keyof typeof SWAGGER_UI_FILES & string): string {
  return `/docs/assets/${swaggerUiDist().version}/${file}`;
}
