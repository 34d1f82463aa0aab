import { z } from "zod";
import { errorStatus, type ErrorCode } from "@/lib/errors/app-error";
import { rolePermissions, type Permission, type RoleName } from "@/lib/auth/permissions";
import { MAX_ID } from "@/lib/ids/ids";
import { MAX_JSON_BYTES } from "@/lib/api/body";

/**
 * The OpenAPI 3.1 document of the API, assembled from a list of operations that name the same zod
 * schemas the routes parse with. Schemas become JSON Schema 2020-12 (OpenAPI 3.1's dialect) through
 * zod's own `z.toJSONSchema`: query strings and bodies as the client sends them (`io: "input"`:
 * before defaults and transforms), answers as the server sends them (`io: "output"`). What every
 * route shares — who may call it, the error body and the errors the API wrapper gives — is added
 * here, from the same tables the wrapper reads (`errorStatus`, `rolePermissions`).
 */

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export type JsonSchema = { [key: string]: unknown };

/** Who may call an operation: anyone, or holders of a permission (`sessionOnly`: not with an API token). */
export type OperationAccess = { public: true } | { permission: Permission; sessionOnly?: boolean };

export interface ResponseSpec {
  description: string;
  /** A JSON answer: a zod schema of what the server sends. */
  json?: z.ZodType;
  /** Any other answer: media type → JSON Schema of the body (images, CSV, JSON lines). */
  content?: Record<string, JsonSchema>;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/** Statuses an operation may describe errors for; the common ones get a description of their own. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503 | 507;

export interface OperationSpec {
  method: HttpMethod;
  /** OpenAPI style: `/api/faces/{id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: OperationAccess;
  /**
   * `{name}` path parameters → what each names: a string for an id (a whole number), or
   * `{ description, file: true }` for a file name (text, one path segment).
   */
  pathParams?: Record<string, string | { description: string; file: true }>;
  /** The zod object the route parses the query string with, and what each parameter means. */
  query?: { schema: z.ZodObject; describe?: Record<string, string> };
  /** The request body: the zod schema the route parses JSON with, and/or a multipart form. */
  body?: { json?: z.ZodType; form?: z.ZodObject; required: boolean; description?: string };
  /** The successful answers, by status. */
  responses: Record<number, ResponseSpec>;
  /** Errors this operation gives beyond the common ones (or more about them), by status. */
  errors?: Partial<Record<ErrorStatus, string>>;
}

export interface DocumentSpec {
  title: string;
  version: string;
  description: string;
  tags: { name: string; description: string }[];
  operations: readonly OperationSpec[];
  /** Schemas to show under a name in `components.schemas` (others get one from their operation). */
  components: Record<string, z.ZodType>;
}

export const SECURITY_SCHEMES = {
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "next-auth.session-token",
    description:
      "The browser's session after signing in at `/login` (served over http). A write (POST, PUT, PATCH, DELETE) " +
      "authenticated with the cookie must come from the app's own origin: browsers send `Origin` by themselves, " +
      "and a foreign one is refused with 403 `cross_site_request`.",
  },
  secureSessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "__Secure-next-auth.session-token",
    description: "The same session cookie when the app is served over https.",
  },
  bearerToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "elt_…",
    description:
      "An API token (Settings page, or `POST /api/tokens`): `Authorization: Bearer elt_…`. It acts with its " +
      "owner's role; requests with a token are not subject to the same-origin check.",
  },
} as const;

const SESSION = [{ sessionCookie: [] }, { secureSessionCookie: [] }];
const SESSION_OR_TOKEN = [...SESSION, { bearerToken: [] }];

/** The roles holding a permission, in table order. */
export function rolesWith(permission: Permission): RoleName[] {
  return (Object.keys(rolePermissions) as RoleName[]).filter((r) => rolePermissions[r].has(permission));
}

/** The error codes answered with a status, from the table the API wrapper uses. */
export function codesFor(status: number): ErrorCode[] {
  return (Object.keys(errorStatus) as ErrorCode[]).filter((c) => errorStatus[c] === status);
}

const errorBody = (codes: readonly ErrorCode[]) =>
  z.object({
    error: z.object({
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
      message: z.string().describe("What went wrong, in a sentence meant for people."),
      details: z.record(z.string(), z.unknown()).optional().describe("Facts for programs, e.g. `max_bytes`."),
    }),
  });

const STATUS_NAMES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  422: "Unprocessable",
  429: "TooManyRequests",
  503: "Unavailable",
  507: "StorageUnavailable",
};

const ERROR_DEFAULT_DESCRIPTION =
  "Anything else: `internal` (500), `database_unavailable` (503, the database cannot be reached; " +
  "try again), `model_unavailable` (503), `storage_unavailable` (507).";

const JSON_MEDIA = "application/json";
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The errors every operation can give, by how it is called; its own `errors` add to them. */
function commonErrors(op: OperationSpec): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (status: number, text: string) => out.set(status, [...(out.get(status) ?? []), text]);
  const writes = op.method !== "get";
  add(
    400,
    op.query || op.body
      ? "`bad_request`: a query parameter or body field is missing or invalid (`message` says which and why), the " +
          "body is not JSON, or text holds a NUL character."
      : "`bad_request`: a query parameter holds a NUL character.",
  );
  if (!("public" in op.access)) {
    add(
      401,
      "`unauthorized`: no session and no API token, or an unknown or revoked token; `token_expired`: the token is past its expiry.",
    );
    const roles = rolesWith(op.access.permission).map((r) => r.toLowerCase());
    add(
      403,
      `\`forbidden\`: your role may not do this (it needs \`${op.access.permission}\`: ${roles.join(", ")}).` +
        (op.access.sessionOnly ? " Also `forbidden` with an API token: this needs a signed-in session." : ""),
    );
    if (writes) {
      add(403, "`cross_site_request`: signed in with the cookie, but the request came from another origin.");
      // An upload route says its own limits.
      if (!op.body?.form) add(413, `\`payload_too_large\`: the body is larger than ${MAX_JSON_BYTES / 1024} KB.`);
      add(
        415,
        `\`unsupported_media_type\`: the body is not ${op.body?.form ? "`multipart/form-data` or `application/json`" : "`application/json`"}.`,
      );
    }
  }
  if (op.pathParams) {
    const ids = Object.entries(op.pathParams).filter(([, p]) => typeof p === "string");
    const names = Object.keys(op.pathParams).map((n) => `\`${n}\``);
    add(
      404,
      `\`not_found\`: nothing has that ${names.join(" and ")}` +
        (ids.length
          ? ` (or ${ids.map(([n]) => `\`${n}\``).join(" and ")} is not a whole number from 1 to ${MAX_ID}).`
          : "."),
    );
  }
  // A 503 of the operation's own (no model) stands beside the database's, which every route can give.
  if (op.errors?.[503]) add(503, "`database_unavailable`: the database cannot be reached; try again.");
  for (const [status, text] of Object.entries(op.errors ?? {})) add(Number(status), text);
  return out;
}

/** `{ $schema, $id, … }` of a converted schema → the schema alone, as OpenAPI embeds it. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/**
 * Leaves out what zod adds but says nothing to a reader: the safe-integer bounds of every
 * `.int()`, and the long pattern beside `format: date-time`. Answers stay open to new fields
 * (`additionalProperties: false` is zod's reading of its own output, not a promise of the API);
 * request bodies keep it where the route refuses unknown fields (`.strict()`).
 */
const tidy =
  (io: "input" | "output") =>
  (ctx: { jsonSchema: JsonSchema }): void => {
    const s = ctx.jsonSchema;
    if (s.type === "integer") {
      if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
      if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
    }
    if (s.format === "date-time") delete s.pattern;
    if (io === "output" && s.additionalProperties === false) delete s.additionalProperties;
  };

function convertRegistry(entries: Map<z.ZodType, string>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io,
    // A transform's output cannot be written as JSON Schema; in "input" mode only its input is shown.
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy(io),
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, bare(s as JsonSchema)]));
}

/** One query parameter per property of the route's query schema, as the client writes it. */
function queryParameters(query: NonNullable<OperationSpec["query"]>): JsonSchema[] {
  const schema = z.toJSONSchema(query.schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    override: tidy("input"),
  }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    ...(query.describe?.[name] ? { description: query.describe[name] } : {}),
    schema: s,
  }));
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function buildOpenApiDocument(spec: DocumentSpec): JsonSchema {
  // Names: the given ones, then one per body and answer made from its operation.
  const named = new Map<z.ZodType, string>();
  for (const [name, schema] of Object.entries(spec.components)) named.set(schema, name);
  const inputs = new Map<z.ZodType, string>();
  const outputs = new Map<z.ZodType, string>();
  const nameOf = (schema: z.ZodType, fallback: string, into: Map<z.ZodType, string>) => {
    const name = into.get(schema) ?? named.get(schema) ?? fallback;
    into.set(schema, name);
    return name;
  };
  const errorStatuses = new Set<number>();

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of spec.operations) {
    const id = capitalize(op.operationId);
    const parameters = [
      ...Object.entries(op.pathParams ?? {}).map(([name, param]) => ({
        name,
        in: "path",
        required: true,
        description: typeof param === "string" ? param : param.description,
        schema:
          typeof param === "string"
            ? { type: "integer", minimum: 1, maximum: MAX_ID }
            : { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" },
      })),
      ...(op.query ? queryParameters(op.query) : []),
    ];

    let requestBody: JsonSchema | undefined;
    if (op.body) {
      const content: Record<string, JsonSchema> = {};
      if (op.body.form) {
        content["multipart/form-data"] = { schema: ref(nameOf(op.body.form, `${id}Form`, inputs)) };
      }
      if (op.body.json) content[JSON_MEDIA] = { schema: ref(nameOf(op.body.json, `${id}Body`, inputs)) };
      requestBody = {
        required: op.body.required,
        ...(op.body.description ? { description: op.body.description } : {}),
        content,
      };
    }

    const responses: Record<string, JsonSchema> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const content: Record<string, JsonSchema> = {};
      if (r.json) content[JSON_MEDIA] = { schema: ref(nameOf(r.json, `${id}Response${status}`, outputs)) };
      for (const [media, schema] of Object.entries(r.content ?? {})) content[media] = { schema };
      responses[status] = {
        description: r.description,
        ...(r.headers ? { headers: r.headers } : {}),
        ...(Object.keys(content).length ? { content } : {}),
      };
    }
    for (const [status, texts] of [...commonErrors(op)].sort(([a], [b]) => a - b)) {
      errorStatuses.add(status);
      responses[String(status)] = {
        description: texts.join(" "),
        content: { [JSON_MEDIA]: { schema: ref(`${STATUS_NAMES[status] ?? `Status${status}`}Error`) } },
      };
    }
    responses.default = { description: ERROR_DEFAULT_DESCRIPTION, content: { [JSON_MEDIA]: { schema: ref("Error") } } };

    const access = op.access;
    const who =
      "public" in access
        ? "**Who:** anyone; no sign-in needed."
        : `**Who:** needs \`${access.permission}\` — ${rolesWith(access.permission)
            .map((r) => r.toLowerCase())
            .join(", ")}.${access.sessionOnly ? " Only with a signed-in session, not with an API token." : ""}`;
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      description: [op.description, who].filter(Boolean).join("\n\n"),
      security: "public" in access ? [] : access.sessionOnly ? SESSION : SESSION_OR_TOKEN,
      ...("public" in access ? {} : { "x-permission": access.permission, "x-roles": rolesWith(access.permission) }),
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }

  // Named schemas that answers nest (a face's box, a model version) are components of their own.
  for (const [schema, name] of named) if (!inputs.has(schema)) outputs.set(schema, name);
  for (const status of errorStatuses) {
    outputs.set(errorBody(codesFor(status)), `${STATUS_NAMES[status] ?? `Status${status}`}Error`);
  }
  outputs.set(errorBody(Object.keys(errorStatus) as ErrorCode[]), "Error");

  const schemas = { ...convertRegistry(inputs, "input") };
  for (const [name, schema] of Object.entries(convertRegistry(outputs, "output"))) {
    if (name in schemas) throw new Error(`OpenAPI: ${name} is both a request and a response schema`);
    schemas[name] = schema;
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));

  return {
    openapi: "3.1.0",
    info: { title: spec.title, version: spec.version, description: spec.description },
    servers: [{ url: "/" }],
    tags: spec.tags,
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { schemas: sorted, securitySchemes: SECURITY_SCHEMES },
  };
}
