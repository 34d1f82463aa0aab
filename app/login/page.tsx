import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getPrincipal } from "@/lib/auth/principal";
import { LoginForm } from "./login-form";
import styles from "./login.module.css";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { callbackUrl } = await searchParams;
  // Already signed in (same check as requirePageUser, so this cannot bounce back here): go on.
  if (await getPrincipal(await headers()).catch(() => null)) {
    const local =
      typeof callbackUrl === "string" && /^\/(?![/\\])/.test(callbackUrl) && !callbackUrl.startsWith("/login");
    redirect(local ? callbackUrl : "/");
  }
  return (
    <main className={styles.loginPage}>
      <div className={styles.loginCard}>
        <div className={`brand ${styles.loginBrand}`}>
          <span className="brand-mark" aria-hidden="true" />
          Emotion Loop
        </div>
        <h1>Sign in</h1>
        <p className="muted">Review what the emotion model sees, and correct it where it is wrong.</p>
        <LoginForm callbackUrl={typeof callbackUrl === "string" ? callbackUrl : undefined} />
      </div>
    </main>
  );
}
