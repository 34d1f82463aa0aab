// GET|POST /api/auth/* — next-auth sign-in, sign-out and session endpoints; a throttled sign-in is 429
import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";
import { findSignInRefusal } from "@/lib/auth/sign-in-refusal";
import { tooManyAttemptsResponse } from "@/lib/api/too-many-attempts";

type Handler = (req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

// Built per request so the secret (generated into the data folder on first use) is read at run
// time, not at build time.
const handler: Handler = (req, ctx) => (NextAuth(getAuthOptions()) as Handler)(req, ctx);

// next-auth can only answer a refused sign-in with 401; the refusal it carries becomes a 429 with
// Retry-After, so clients can tell "wait" from "wrong password".
const post: Handler = async (req, ctx) => {
  const res = await handler(req, ctx);
  const refusal = await findSignInRefusal(res);
  return refusal ? tooManyAttemptsResponse(refusal) : res;
};

export { handler as GET, post as POST };
