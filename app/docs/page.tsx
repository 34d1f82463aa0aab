import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { getPrincipal } from "@/lib/auth/principal";
import { swaggerUiAssetUrl } from "./swagger-ui-dist";
import { SwaggerUi } from "./swagger-ui";
import styles from "./docs.module.css";

export const metadata: Metadata = { title: "API reference" };

const SPEC_URL = "/api/openapi.json";

/**
 * The interactive API reference, public like the document it shows. Signed in, "Try it out" calls
 * the API with the browser's session (same origin, so writes pass the origin check); anyone can
 * also paste an API token into Authorize.
 */
export default async function DocsPage() {
  const principal = await getPrincipal(await headers()).catch(() => null);
  return (
    <>
      <link rel="stylesheet" href={swaggerUiAssetUrl("swagger-ui.css")} precedence="swagger-ui" />
      <header className={styles.header}>
        <div className={styles.headerInner}>
          <Link href="/review" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Emotion Loop
          </Link>
          <h1 className={styles.title}>API reference</h1>
          <p className={styles.session}>
            {principal ? (
              <>
                Signed in as {principal.email}: <em>Try it out</em> uses your session.
              </>
            ) : (
              <>
                <Link href="/login?callbackUrl=/docs">Sign in</Link> to try the routes with your session, or use{" "}
                <em>Authorize</em> with an API token.
              </>
            )}{" "}
            <a href={SPEC_URL}>OpenAPI document</a>
          </p>
        </div>
      </header>
      <main id="main" className={styles.main}>
        <SwaggerUi bundleUrl={swaggerUiAssetUrl("swagger-ui-bundle.js")} specUrl={SPEC_URL} />
      </main>
    </>
  );
}
