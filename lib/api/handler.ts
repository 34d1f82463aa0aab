import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { ZodError } from "zod";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { MAX_ID } from "@/lib/ids/ids";
import { MAX_JSON_BYTES } from "@/lib/api/body";
import { STATE_CHANGING_METHODS, assertSameOrigin } from "@/lib/api/same-origin";
import { assertCan, getPrincipal, type Principal } from "@/lib/auth/principal";
import type { Permission } from "@/lib/auth/permissions";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { getEnv } from "@/lib/env/env";
import { STRICT_TRANSPORT_SECURITY, servedOverHttps } from "@/lib/http/security-headers";
import { isStorageFailure } from "@/lib/storage/errors";

/**
 * What a route's body may be. "json" (the default): `application/json` of at most 64 KB.
 * "upload": also `multipart/form-data`; the route reads it with its own, larger, cap.
 */
type BodyKind = "json" | "upload";

type Access =
  | { public: true }
  | {
      permission: Permission;
      /** Refuse API tokens (e.g. minting tokens needs a real login). */
      sessionOnly?: boolean;
      body?: BodyKind;
    };

type Params = Record<string, string | string[]>;

interface Ctx<P> {
  req: NextRequest;
  params: P;
  principal: Principal;
}

export type RouteHandler<P extends Params> = (req: NextRequest, ctx: { params: Promise<P> }) => Promise<Response>;

/**
 * The one wrapper every API route goes through, in this order: a cookie-authenticated write must
 * come from the app's own origin (403 cross_site_request); query strings may not hold NUL (400);
 * who is asking and whether they may (401 / 403); a write's body must be of the route's media type
 * (415) and not declare more than its cap (413); then the handler. Errors become
 * `{ error: { code, message } }`, and every answer gets HSTS when served over https.
 */
export function apiRoute<P extends Params = Record<string, never>>(
  access: { permission: Permission; sessionOnly?: boolean; body?: BodyKind },
  handler: (ctx: Ctx<P>) => Promise<Response>,
): RouteHandler<P>;
export function apiRoute<P extends Params = Record<string, never>>(
  access: { public: true },
  handler: (ctx: Omit<Ctx<P>, "principal">) => Promise<Response>,
): RouteHandler<P>;
export function apiRoute<P extends Params>(access: Access, handler: (ctx: Ctx<P>) => Promise<Response>) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    let res: Response;
    try {
      res = await runRoute(access, handler, req, await ctx.params);
    } catch (err) {
      res = errorResponse(err);
    }
    return withTransportSecurity(req, res);
  };
}

async function runRoute<P extends Params>(
  access: Access,
  handler: (ctx: Ctx<P>) => Promise<Response>,
  req: NextRequest,
  params: P,
): Promise<Response> {
  const writes = STATE_CHANGING_METHODS.has(req.method);
  // Only requests that a browser authenticates with its cookie can be forged by another site;
  // a bearer token is never sent by the browser on its own.
  if (writes && !("public" in access) && !req.headers.has("authorization")) {
    assertSameOrigin(req.headers, getEnv().NEXTAUTH_URL);
  }
  for (const value of req.nextUrl.searchParams.values()) {
    if (value.includes("\0")) throw new AppError("bad_request", "Query parameters may not contain NUL characters.");
  }
  if ("public" in access) {
    return (handler as (c: Omit<Ctx<P>, "principal">) => Promise<Response>)({ req, params });
  }
  const principal = assertCan(await getPrincipal(req.headers), access.permission);
  if (access.sessionOnly && principal.via !== "session") {
    throw new AppError("forbidden", "This action needs a signed-in session, not an API token.");
  }
  if (writes) assertBodyKind(req, access.body ?? "json");
  return handler({ req, params, principal });
}

/**
 * A write with a body must say what it is. JSON routes take only `application/json`: browsers
 * send `text/plain`, form-encoded and multipart bodies across sites without a CORS preflight,
 * so refusing them is a second lock behind the origin check. A JSON body declared larger than
 * 64 KB is refused here, before anything is read.
 */
function assertBodyKind(req: Request, kind: BodyKind): void {
  const length = req.headers.get("content-length");
  const hasBody = req.headers.has("transfer-encoding") || (length !== null && length !== "0");
  if (!hasBody) return;
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const allowed = kind === "upload" ? ["application/json", "multipart/form-data"] : ["application/json"];
  if (!allowed.includes(type)) {
    throw new AppError(
      "unsupported_media_type",
      `Send the body as ${allowed.join(" or ")}${type ? `, not ${type}` : ""}.`,
    );
  }
  if (kind === "json" && length !== null && Number(length) > MAX_JSON_BYTES) {
    throw new AppError("payload_too_large", `The request body is larger than ${MAX_JSON_BYTES / 1024} KB.`, {
      max_bytes: MAX_JSON_BYTES,
    });
  }
}

function withTransportSecurity(req: NextRequest, res: Response): Response {
  if (servedOverHttps(req.headers, req.url, getEnv().NEXTAUTH_URL)) {
    res.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  }
  return res;
}

const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type RouteMethod = (typeof ROUTE_METHODS)[number];
type AllMethods = RouteMethod | "HEAD" | "OPTIONS";

/**
 * A route file's exports: its handlers, plus the methods it does not serve answering a JSON 405
 * `method_not_allowed` with an `Allow` header. (Next.js answers an unexported method itself, with
 * an empty 405 and no error body.) Use as
 * `export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiMethods({ GET: apiRoute(…) })`.
 */
export function apiMethods<P extends Params>(
  handlers: Partial<Record<RouteMethod, RouteHandler<P>>>,
): Record<AllMethods, RouteHandler<P>> {
  const served = ROUTE_METHODS.filter((m) => handlers[m]);
  const allow = [...served, ...(handlers.GET ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const notAllowed: RouteHandler<P> = async (req) => {
    const res = errorResponse(
      new AppError("method_not_allowed", `${req.method} is not allowed here; use ${served.join(" or ")}.`),
    );
    res.headers.set("Allow", allow);
    return withTransportSecurity(req, res);
  };
  const pick = (m: RouteMethod) => handlers[m] ?? notAllowed;
  return {
    GET: pick("GET"),
    HEAD: handlers.GET ?? notAllowed,
    POST: pick("POST"),
    PUT: pick("PUT"),
    PATCH: pick("PATCH"),
    DELETE: pick("DELETE"),
    OPTIONS: async (req) => withTransportSecurity(req, new Response(null, { status: 204, headers: { Allow: allow } })),
  };
}

export function errorResponse(err: unknown): Response {
  if (isAppError(err)) {
    return NextResponse.json(
      { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } },
      { status: err.status },
    );
  }
  if (err instanceof ZodError) {
    return NextResponse.json(
      {
        error: {
          code: "bad_request",
          message: err.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; "),
        },
      },
      { status: 400 },
    );
  }
  if (isDatabaseUnavailable(err)) {
    console.error("[api] database unavailable:", err instanceof Error ? err.message : err);
    return errorResponse(
      new AppError("database_unavailable", "The database cannot be reached right now. Try again in a moment."),
    );
  }
  if (isStorageFailure(err)) {
    console.error("[api] storage refused a write:", err);
    return errorResponse(
      new AppError(
        "storage_unavailable",
        "The server cannot store files right now (its storage is full or not writable).",
      ),
    );
  }
  console.error("[api] unexpected error", err);
  return NextResponse.json(
    { error: { code: "internal", message: "Something went wrong on the server." } },
    { status: 500 },
  );
}

/**
 * Route param ids are positive int4 values; anything else (letters, signs, 2^31 and above) is a
 * 404 rather than a database error.
 */
export function parseId(raw: string | undefined, what: string): number {
  const n = Number(raw);
  if (!raw || !/^\d{1,10}$/.test(raw) || n <= 0 || n > MAX_ID) {
    throw new AppError("not_found", `No ${what} ${raw ?? ""}`.trim() + ".");
  }
  return n;
}
