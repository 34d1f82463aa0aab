// GET /tfjs-wasm/:version/:file — the WASM backend's binaries from node_modules/@tensorflow/tfjs-backend-wasm/dist
import { readFile } from "node:fs/promises";
import path from "node:path";
import { TFJS_WASM_FILES, tfjsWasmDist } from "../../tfjs-wasm-dist";

export async function GET(_req: Request, ctx: { params: Promise<{ version: string; file: string }> }) {
  const { version, file } = await ctx.params;
  const dist = tfjsWasmDist();
  // Only the listed files, and only of the installed version: the URL names its content for good.
  if (!(TFJS_WASM_FILES as readonly string[]).includes(file) || version !== dist.version) {
    return new Response("Not found.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  return new Response(new Uint8Array(await readFile(path.join(dist.dir, file))), {
    headers: {
      // application/wasm lets the browser compile while the file downloads.
      "content-type": "application/wasm",
      "cache-control": "public, max-age=31536000, immutable",
    },
  });
}
