import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { ZodError } from "zod";
import { AppError, isAppError } from "@/lib/api/errors";
import { assertCan, getPrincipal, type Principal } from "@/lib/auth/principal";
import type { Permission } from "@/lib/auth/permissions";

type Access =
  | { public: true }
  | {
      permission: Permission;
      /** Refuse API tokens (e.g. minting tokens needs a real login). */
      sessionOnly?: boolean;
    };

interface Ctx<P> {
  req: NextRequest;
  params: P;
  principal: Principal;
}

/**
 * The one wrapper every API route goes through: resolves who is asking, checks the permission
 * (401 / 403), runs the handler, and turns errors into `{ error: { code, message } }`.
 */
export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  access: { permission: Permission; sessionOnly?: boolean },
  handler: (ctx: Ctx<P>) => Promise<Response>,
): (req: NextRequest, ctx: { params: Promise<P> }) => Promise<Response>;
export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  access: { public: true },
  handler: (ctx: Omit<Ctx<P>, "principal">) => Promise<Response>,
): (req: NextRequest, ctx: { params: Promise<P> }) => Promise<Response>;
export function apiRoute<P extends Record<string, string>>(
  access: Access,
  handler: (ctx: Ctx<P>) => Promise<Response>,
) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const params = await ctx.params;
      if ("public" in access) {
        return await (handler as (c: Omit<Ctx<P>, "principal">) => Promise<Response>)({ req, params });
      }
      const principal = assertCan(await getPrincipal(req.headers), access.permission);
      if (access.sessionOnly && principal.via !== "session") {
        throw new AppError("forbidden", "This action needs a signed-in session, not an API token.");
      }
      return await handler({ req, params, principal });
    } catch (err) {
      return errorResponse(err);
    }
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
  console.error("[api] unexpected error", err);
  return NextResponse.json(
    { error: { code: "internal", message: "Something went wrong on the server." } },
    { status: 500 },
  );
}

/** Parses a JSON body; a body that is not JSON is a 400, not a 500. */
export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}

/** Route param ids are positive integers; anything else is a 404 rather than a database error. */
export function parseId(raw: string | undefined, what: string): number {
  const n = Number(raw);
  if (!raw || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    throw new AppError("not_found", `No ${what} ${raw ?? ""}`.trim() + ".");
  }
  return n;
}

/** Like readJson, but an empty body is `{}` (for routes whose fields are all optional). */
export async function readOptionalJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}
