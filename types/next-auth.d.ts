import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user?: {
      id?: number;
      /** The user's sessionVersion when this session was issued. */
      sessionVersion?: number;
      name?: string | null;
      email?: string | null;
      image?: string | null;
    };
  }
  interface User {
    role?: "REVIEWER" | "ADMIN";
    sessionVersion?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: number;
    /** sessionVersion of the user at sign-in; a different one in the database ends this session. */
    sv?: number;
  }
}
