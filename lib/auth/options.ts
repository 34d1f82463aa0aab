import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getAuthSecret } from "@/lib/env/env";
import { getDb } from "@/lib/db/client";
import { verifyPassword } from "@/lib/auth/password";
import { loginSchema } from "@/lib/auth/schemas";

let cached: NextAuthOptions | undefined;

/** next-auth: e-mail + password, JWT sessions. The role is re-read from the database per request. */
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
        async authorize(credentials) {
          const parsed = loginSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const user = await getDb().user.findUnique({ where: { email: parsed.data.email.toLowerCase() } });
          if (!user || user.disabledAt) return null;
          if (!(await verifyPassword(user.passwordHash, parsed.data.password))) return null;
          return { id: String(user.id), email: user.email, name: user.name ?? user.email, role: user.role };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.uid = Number(user.id);
        return token;
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === "number") session.user.id = token.uid;
        return session;
      },
    },
  };
  return cached;
}
