import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getAuthSecret, getEnv } from "@/lib/env/env";
import { getDb } from "@/lib/db/client";
import { loginSchema } from "@/lib/auth/schemas";
import { clientAddress } from "@/lib/auth/client-address";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { signInRefusal } from "@/lib/auth/sign-in-refusal";
import { endSessionsAtSignOut } from "@/lib/auth/sign-out";

let cached: NextAuthOptions | undefined;

/**
 * next-auth: e-mail + password, JWT sessions. The JWT carries the user id and the user's
 * sessionVersion at sign-in; lib/auth/principal.ts compares both with the database per request.
 */
export function getAuthOptions(): NextAuthOptions {
  cached ??= {
    secret: getAuthSecret(),
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, req) {
          const parsed = loginSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const forwarded = req.headers?.["x-forwarded-for"] as string | undefined;
          const outcome = await signInWithPassword(getDb(), {
            email: parsed.data.email,
            password: parsed.data.password,
            address: clientAddress(forwarded, getEnv().TRUST_PROXY),
          });
          if (outcome.ok) {
            const { user } = outcome;
            return {
              id: String(user.id),
              email: user.email,
              name: user.name ?? user.email,
              role: user.role,
              sessionVersion: user.sessionVersion,
            };
          }
          if (outcome.throttled) throw signInRefusal(outcome.retryAfterMs, outcome.locked);
          return null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.uid = Number(user.id);
          token.sv = user.sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === "number") {
          session.user.id = token.uid;
          session.user.sessionVersion = token.sv;
        }
        return session;
      },
    },
    events: {
      // next-auth only forgets the cookie; ending the session version makes a copy of it useless.
      async signOut({ token }) {
        if (typeof token?.uid === "number" && typeof token.sv === "number") {
          await endSessionsAtSignOut(getDb(), { userId: token.uid, sessionVersion: token.sv });
        }
      },
    },
  };
  return cached;
}
