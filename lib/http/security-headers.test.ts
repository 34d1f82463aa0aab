import { describe, expect, it } from "vitest";
import { pageContentSecurityPolicy, servedOverHttps } from "@/lib/http/security-headers";

describe("servedOverHttps", () => {
  const cases: [string, Record<string, string>, string, string | undefined, boolean][] = [
    ["plain http, http public URL", {}, "http://127.0.0.1:3000/x", "http://127.0.0.1:3000", false],
    ["a TLS proxy says https", { "x-forwarded-proto": "https" }, "http://127.0.0.1:3000/x", undefined, true],
    [
      "a chain of proxies, the first https",
      { "x-forwarded-proto": "https, http" },
      "http://127.0.0.1:3000/x",
      undefined,
      true,
    ],
    [
      "the public URL is https",
      { "x-forwarded-proto": "http" },
      "http://127.0.0.1:3000/x",
      "https://emotion.example.org",
      true,
    ],
    ["the request itself is https", {}, "https://127.0.0.1:3000/x", undefined, true],
  ];
  it.each(cases)("%s → %s", (_what, headers, url, publicUrl, expected) => {
    expect(servedOverHttps(new Headers(headers), url, publicUrl)).toBe(expected);
  });
});

describe("pageContentSecurityPolicy", () => {
  it("production: the nonce for scripts, no eval, no inline style elements, upgrade only over https", () => {
    const csp = pageContentSecurityPolicy("abc123", { dev: false, https: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval';");
    expect(csp).not.toMatch(/'unsafe-eval'|style-src 'self' 'nonce-abc123' 'unsafe-inline'/);
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(pageContentSecurityPolicy("abc123", { dev: false, https: true })).toContain("upgrade-insecure-requests");
  });

  it("development adds eval (React's dev tooling needs it)", () => {
    expect(pageContentSecurityPolicy("n", { dev: true, https: false })).toContain("'unsafe-eval'");
  });
});
