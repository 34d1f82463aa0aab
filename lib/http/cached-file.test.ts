import { describe, expect, it } from "vitest";
import { cachedFileResponse, matchesIfNoneMatch } from "./cached-file";

describe("matchesIfNoneMatch", () => {
  it.each([
    [null, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ["*", true],
    ['"abcd"', false],
    ["abc", false],
  ])("%s → %s", (header, expected) => expect(matchesIfNoneMatch(header, "abc")).toBe(expected));
});

describe("cachedFileResponse", () => {
  const file = { body: new Uint8Array([1, 2, 3]), contentType: "application/octet-stream", etag: "abc" };

  it("answers the file with its ETag; immutable only when asked", async () => {
    const res = cachedFileResponse(new Request("http://x/f"), file, { immutable: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"abc"');
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(cachedFileResponse(new Request("http://x/f"), file, { immutable: false }).headers.get("cache-control")).toBe(
      "private, no-cache",
    );
  });

  it("answers 304 without a body to a client holding the ETag", async () => {
    const req = new Request("http://x/f", { headers: { "if-none-match": '"abc"' } });
    const res = cachedFileResponse(req, file, { immutable: false });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe('"abc"');
    expect(await res.text()).toBe("");
  });
});
