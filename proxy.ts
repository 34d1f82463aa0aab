import { NextResponse, type NextRequest } from "next/server";
import { errorStatus, isAppError } from "@/lib/errors/app-error";
import { assertSameOrigin } from "@/lib/api/same-origin";
import { getEnv } from "@/lib/env/env";
import { STRICT_TRANSPORT_SECURITY, pageContentSecurityPolicy, servedOverHttps } from "@/lib/http/security-headers";

/**
 * Runs before pages and next-auth's routes (see `config.matcher`): gives every page a fresh CSP
 * nonce, and refuses next-auth form posts from other origins. Access checks stay in the pages
 * and the API wrapper; this only sets headers.
 */
export function proxy(request: NextRequest): NextResponse {
  const env = getEnv();
  const https = servedOverHttps(request.headers, request.url, env.NEXTAUTH_URL);
  let response: NextResponse;
  if (request.nextUrl.pathname.startsWith("/api/auth/")) {
    response = checkAuthRoute(request, env.NEXTAUTH_URL);
  } else {
    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    const policy = pageContentSecurityPolicy(nonce, { dev: env.NODE_ENV === "development", https });
    // Next.js reads the nonce from the request's CSP header and puts it on the scripts it renders.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("Content-Security-Policy", policy);
    response = NextResponse.next({ request: { headers: requestHeaders } });
    response.headers.set("Content-Security-Policy", policy);
  }
  if (https) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

/**
 * next-auth checks its own CSRF token on sign-in and sign-out; a foreign Origin is refused here
 * as well, as for every other cookie-carrying write, before next-auth reads the form.
 */
function checkAuthRoute(request: NextRequest, publicUrl: string | undefined): NextResponse {
  if (request.method === "POST") {
    try {
      assertSameOrigin(request.headers, publicUrl);
    } catch (err) {
      if (!isAppError(err)) throw err;
      return NextResponse.json({ error: { code: err.code, message: err.message } }, { status: errorStatus[err.code] });
    }
  }
  return NextResponse.next();
}

export const config = {
  matcher: [
    // Not the rest of /api: a proxy in front of a route makes Next.js copy its request body for
    // the proxy (uploads included, cut at 10 MB), and the API wrapper sets those answers' headers.
    "/((?!api/|_next/static|_next/image|favicon.ico).*)",
    "/api/auth/:path*",
  ],
};
