import { buildOpenApiDocument, type JsonSchema } from "@/lib/api/openapi";
import packageJson from "@/package.json";
import { operations, tags } from "./operations";
import * as responses from "./responses";

const DESCRIPTION = `Human-in-the-loop labeling and retraining for facial emotion recognition.

JSON everywhere; an error is \`{ "error": { "code": "…", "message": "…", "details"?: { … } } }\`, its \`code\` one of
a fixed set (see the \`Error\` schema). Sign in at [/login](/login) and the browser's session cookie works here, or
send an API token (\`Authorization: Bearer elt_…\`).

- **Cross-site writes.** A POST, PUT, PATCH or DELETE signed in with the session cookie must come from the app's own
  origin, else \`403 cross_site_request\`. Requests with a bearer token are not affected.
- **Content types.** JSON routes take only \`application/json\` (\`415\` otherwise); \`POST /api/predictions\` also
  takes \`multipart/form-data\`. JSON bodies up to 64 KB, uploads up to 10 MB (\`413\`).
- **Ids** are whole numbers from 1 to 2147483647: JSON numbers in bodies (\`400\` otherwise), digits in query
  strings (\`400\`) and paths (\`404\`).
- **Methods.** A method a route does not serve is \`405 method_not_allowed\` with an \`Allow\` header; \`OPTIONS\`
  lists the methods, \`HEAD\` answers like \`GET\` without a body. Any \`/api/…\` path no route serves is
  \`404 not_found\`.`;

let built: JsonSchema | undefined;

/** The API's OpenAPI document, built once per process from the operation list. */
export function openApiDocument(): JsonSchema {
  built ??= buildOpenApiDocument({
    title: "Emotion Loop API",
    version: packageJson.version,
    description: DESCRIPTION,
    tags,
    operations,
    components: { ...responses },
  });
  return built;
}
