// The files in-browser inference loads from the app itself: a model version's files (only what its
// model.json names, cached by checksum), the face detector's weights, the WASM backend's binaries;
// and the live page's CSP, the only one that lets WebAssembly compile.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, startTestApp, type TestApp } from "@/test/support/app-server";
import { client } from "@/test/support/http";

let app: TestApp;
let admin: ReturnType<typeof client>;
let reviewer: ReturnType<typeof client>;
let model: { id: number; checksum: string };
let shard: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
  expect(
    (await admin.json("POST", "/api/users", { email: "r@example.test", password: "reviewer-pass", role: "REVIEWER" }))
      .status,
  ).toBe(201);
  reviewer = client(app.baseUrl, { cookie: await signIn(app.baseUrl, "r@example.test", "reviewer-pass") });
  const { models } = (await (await reviewer.get("/api/models")).json()) as {
    models: { id: number; status: string; checksum: string }[];
  };
  model = models.find((m) => m.status === "ACTIVE")!;
  const modelJson = JSON.parse(fs.readFileSync(path.join(app.modelsDir, "baseline/model.json"), "utf8")) as {
    weightsManifest: { paths: string[] }[];
  };
  shard = modelJson.weightsManifest[0]!.paths[0]!;
  // A file in the version's folder that model.json does not list: never served.
  fs.writeFileSync(path.join(app.modelsDir, "baseline/notes.txt"), "not a model file\n");
}, 300_000);
afterAll(async () => {
  await app?.stop();
});

describe("GET /api/models/:id/files/:name", () => {
  const url = (name: string, v?: string) => `/api/models/${model.id}/files/${name}${v ? `?v=${v}` : ""}`;

  it.each(["model.json", "metadata.json"])(
    "serves %s to a reviewer, as on disk, with the checksum as ETag",
    async (name) => {
      const res = await reviewer.get(url(name));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("etag")).toBe(`"${model.checksum}"`);
      expect(res.headers.get("cache-control")).toBe("private, no-cache");
      expect(
        Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(app.modelsDir, "baseline", name))),
      ).toBe(true);
    },
  );

  it("serves a shard model.json lists; with ?v=<checksum> it is cached for good", async () => {
    const res = await reviewer.get(url(shard, model.checksum));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(
      Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(app.modelsDir, "baseline", shard))),
    ).toBe(true);
  });

  it("answers 304 without a body when the client holds the checksum", async () => {
    const res = await fetch(`${app.baseUrl}${url("model.json", model.checksum)}`, {
      headers: {
        cookie: await signIn(app.baseUrl, "r@example.test", "reviewer-pass"),
        "if-none-match": `"${model.checksum}"`,
      },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(`"${model.checksum}"`);
    expect(await res.text()).toBe("");
  });

  it.each([
    ["notes.txt", "a file of the folder that model.json does not list"],
    ["..%2F..%2Fpackage.json", "a path out of the folder"],
    [".env", "a hidden file"],
    ["group1-shard1of1.bin%00.json", "a NUL"],
    ["constructor", "a name every object has"],
  ])("answers 404 for %s (%s)", async (name) => {
    const res = await reviewer.get(url(name));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("a '..' segment never reaches the route: the URL is normalised (a redirect to the version's own URL)", async () => {
    const res = await reviewer.get(url("%2E%2E"));
    expect(res.status).toBe(308);
    expect(new URL(res.headers.get("location")!, app.baseUrl).pathname).toBe(`/api/models/${model.id}`);
  });

  it("answers 404 for a version that does not exist, 400 for a v that is not a checksum, 401 signed out", async () => {
    expect((await reviewer.get(`/api/models/999999/files/model.json`)).status).toBe(404);
    expect((await reviewer.get(url("model.json", "not-a-checksum"))).status).toBe(400);
    expect((await client(app.baseUrl).get(url("model.json"))).status).toBe(401);
  });
});

describe("GET /api/detector/files/:name", () => {
  const version = (
    JSON.parse(fs.readFileSync(path.resolve("node_modules/@vladmandic/face-api/package.json"), "utf8")) as {
      version: string;
    }
  ).version;

  it.each([
    ["ssd_mobilenetv1_model-weights_manifest.json", /^application\/json/],
    ["ssd_mobilenetv1_model.bin", /^application\/octet-stream/],
    ["tiny_face_detector_model-weights_manifest.json", /^application\/json/],
    ["tiny_face_detector_model.bin", /^application\/octet-stream/],
  ])("serves %s from the installed package, cached for good under its version", async (name, type) => {
    const res = await reviewer.get(`/api/detector/files/${name}?v=${version}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(type);
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    const onDisk = fs.readFileSync(path.resolve("node_modules/@vladmandic/face-api/model", name));
    expect(Buffer.from(await res.arrayBuffer()).equals(onDisk)).toBe(true);
  });

  it.each(["face_expression_model.bin", "..%2Fpackage.json", "ssd_mobilenetv1_model.json", "tiny_face_detector_model"])(
    "answers 404 for %s",
    async (name) => {
      expect((await reviewer.get(`/api/detector/files/${name}`)).status).toBe(404);
    },
  );
});

describe("/tfjs-wasm/:version/:file", () => {
  const version = (
    JSON.parse(fs.readFileSync(path.resolve("node_modules/@tensorflow/tfjs-backend-wasm/package.json"), "utf8")) as {
      version: string;
    }
  ).version;

  it.each(["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"])(
    "serves %s of the installed version as application/wasm",
    async (file) => {
      const res = await fetch(`${app.baseUrl}/tfjs-wasm/${version}/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/wasm");
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const onDisk = fs.readFileSync(path.resolve("node_modules/@tensorflow/tfjs-backend-wasm/dist", file));
      expect(Buffer.from(await res.arrayBuffer()).equals(onDisk)).toBe(true);
    },
  );

  it.each([`${version}/package.json`, `${version}/..%2Fpackage.json`, "0.0.1/tfjs-backend-wasm.wasm"])(
    "answers 404 for %s",
    async (rest) => {
      expect((await fetch(`${app.baseUrl}/tfjs-wasm/${rest}`)).status).toBe(404);
    },
  );
});

describe("the live page", () => {
  it("may compile WebAssembly, and no page may eval JavaScript", async () => {
    const live = await reviewer.get("/live");
    expect(live.status).toBe(200);
    expect(live.headers.get("content-security-policy")).toContain("'wasm-unsafe-eval'");
    expect(live.headers.get("content-security-policy")).not.toMatch(/'unsafe-eval'/);
  });
});
