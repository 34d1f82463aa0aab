import { describe, expect, it } from "vitest";
import { assertSameOrigin } from "@/lib/api/same-origin";

const PUBLIC_URL = "https://emotion.example.org";

describe("assertSameOrigin", () => {
  // What was tried: the headers a browser (or a script) sends with a write, against an app whose
  // Host header is 127.0.0.1:3000 and whose public URL is PUBLIC_URL (behind a proxy).
  const cases: [string, Record<string, string>, "allowed" | "refused"][] = [
    ["Origin equal to the Host", { origin: "http://127.0.0.1:3000" }, "allowed"],
    ["Origin equal to the public URL, Host rewritten by a proxy", { origin: PUBLIC_URL }, "allowed"],
    ["Origin of another port on the same host", { origin: "http://127.0.0.1:3001" }, "refused"],
    ["Origin of another host", { origin: "http://evil.example" }, "refused"],
    ["public URL's host over http (another origin)", { origin: "http://emotion.example.org" }, "refused"],
    ["Origin: null", { origin: "null" }, "refused"],
    [
      "Origin wins over a same-origin Sec-Fetch-Site",
      { origin: "http://evil.example", "sec-fetch-site": "same-origin" },
      "refused",
    ],
    ["no Origin, Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }, "allowed"],
    ["no Origin, Sec-Fetch-Site none (typed by the user)", { "sec-fetch-site": "none" }, "allowed"],
    ["no Origin, Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site" }, "refused"],
    ["no Origin, Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }, "refused"],
    ["neither header (not a browser)", {}, "allowed"],
  ];
  it.each(cases)("%s → %s", (_what, sent, expected) => {
    const headers = new Headers({ host: "127.0.0.1:3000", ...sent });
    const run = () => assertSameOrigin(headers, PUBLIC_URL);
    if (expected === "allowed") expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining({ code: "cross_site_request", status: 403 }));
  });
});
