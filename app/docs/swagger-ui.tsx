"use client";

import { useEffect, useRef, useState } from "react";

interface SwaggerUiBundle {
  (options: Record<string, unknown>): unknown;
  presets: { apis: unknown };
}

declare global {
  interface Window {
    SwaggerUIBundle?: SwaggerUiBundle;
  }
}

let loading: Promise<SwaggerUiBundle> | undefined;

/**
 * Loads swagger-ui's bundle once per page load. The script element is added by this (nonce'd)
 * code, so the page's `'strict-dynamic'` policy lets it run without a nonce of its own, on a
 * first load and on a client-side navigation alike.
 */
function loadBundle(src: string): Promise<SwaggerUiBundle> {
  loading ??= new Promise((resolve, reject) => {
    if (window.SwaggerUIBundle) return resolve(window.SwaggerUIBundle);
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => (window.SwaggerUIBundle ? resolve(window.SwaggerUIBundle) : reject(new Error(src)));
    script.onerror = () => {
      script.remove();
      loading = undefined;
      reject(new Error(src));
    };
    document.head.append(script);
  });
  return loading;
}

export function SwaggerUi({ bundleUrl, specUrl }: { bundleUrl: string; specUrl: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    loadBundle(bundleUrl).then(
      (SwaggerUIBundle) => {
        if (!live || !container.current) return;
        SwaggerUIBundle({
          url: specUrl,
          domNode: container.current,
          presets: [SwaggerUIBundle.presets.apis],
          deepLinking: true,
          filter: true,
          displayRequestDuration: true,
          defaultModelsExpandDepth: 0,
          // No badge from validator.swagger.io: nothing on this page leaves the app's origin.
          validatorUrl: null,
          // An API token typed into Authorize lives in this tab only, never in localStorage.
          persistAuthorization: false,
        });
      },
      () => {
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, [bundleUrl, specUrl]);

  return (
    <>
      {failed ? (
        <p className="notice notice-error" role="alert">
          The API reference could not be loaded. The document itself is at <a href={specUrl}>{specUrl}</a>.
        </p>
      ) : null}
      <div ref={container} data-testid="swagger-ui" />
    </>
  );
}
