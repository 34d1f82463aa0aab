// GET /docs/assets/:version/:file — swagger-ui's script and style sheet from node_modules/swagger-ui-dist
import { readFile } from "node:fs/promises";
import path from "node:path";
import { SWAGGER_UI_FILES, swaggerUiDist } from "../../../swagger-ui-dist";

export async function GET(_req: Request, ctx: { params: Promise<{ version: string; file: string }> }) {
  const { version, file } = await ctx.params;
  const dist = swaggerUiDist();
  // Only the listed files, and only of the installed version: the URL names its content for good.
  if (!Object.hasOwn(SWAGGER_UI_FILES, file) || version !== dist.version) {
    return new Response("Not found.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  return new Response(new Uint8Array(await readFile(path.join(dist.dir, file))), {
    headers: {
      "content-type": SWAGGER_UI_FILES[file]!,
      "cache-control": "public, max-age=31536000, immutable",
    },
  });
}
