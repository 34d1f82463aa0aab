// The OpenAPI document against the routes on disk: every route and method is documented (and
// nothing else), with the route's own permission and the very zod schemas it parses; and the
// document holds together (every operation answers something, says who may call it, and every
// $ref resolves), with every schema compiling as JSON Schema 2020-12.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { SECURITY_SCHEMES, type OperationSpec } from "@/lib/api/openapi";
import packageJson from "@/package.json";
import { documentSchemas } from "@/test/support/openapi";
import { openApiDocument } from "./document";
import { operations, tags } from "./operations";

const API_DIR = path.resolve(__dirname, "..");
const ROOT = path.resolve(__dirname, "../../..");

/** Route folders that are not part of the documented API. */
const NOT_DOCUMENTED: Record<string, string> = {
  "[...path]": "the catch-all that answers 404 for any path no route serves",
  "auth/[...nextauth]": "next-auth's own sign-in, sign-out and session endpoints",
};

interface RouteMethod {
  /** e.g. "POST /api/reviews" */
  key: string;
  file: string;
  path: string;
  method: string;
  access: { public?: boolean; permission?: string; sessionOnly?: boolean; body?: string };
  /** `schema.parse(…)` calls in the handler: what is parsed, and the imported schema's module and name. */
  parses: { of: "query" | "json" | "optional-json" | `form:${string}`; module: string; name: string }[];
}

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

/** `app/api/faces/[id]/crop.png/route.ts` → `/api/faces/{id}/crop.png` */
function openApiPath(folder: string): string {
  const segments = folder
    .split("/")
    .filter((s) => !/^\(.*\)$/.test(s))
    .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"));
  return ["/api", ...segments].join("/");
}

/** The methods a route file passes to `apiMethods({ … })`, read from its syntax tree. */
function readRoute(file: string): RouteMethod[] {
  const folder = path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/");
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const imports = new Map<string, { module: string; name: string }>();
  for (const st of source.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause?.namedBindings) continue;
    const bindings = st.importClause.namedBindings;
    if (!ts.isNamedImports(bindings)) continue;
    for (const el of bindings.elements) {
      imports.set(el.name.text, {
        module: (st.moduleSpecifier as ts.StringLiteral).text,
        name: (el.propertyName ?? el.name).text,
      });
    }
  }
  const calls: ts.CallExpression[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) calls.push(n);
    ts.forEachChild(n, visit);
  };
  visit(source);
  const apiMethodsCall = calls.find((c) => ts.isIdentifier(c.expression) && c.expression.text === "apiMethods");
  const handlers = apiMethodsCall?.arguments[0];
  if (!handlers || !ts.isObjectLiteralExpression(handlers)) throw new Error(`${file}: no apiMethods({ … }) call`);

  const parsesIn = (node: ts.Node): RouteMethod["parses"] => {
    const found: RouteMethod["parses"] = [];
    const walk = (n: ts.Node) => {
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        n.expression.name.text === "parse" &&
        ts.isIdentifier(n.expression.expression)
      ) {
        const imported = imports.get(n.expression.expression.text);
        const arg = n.arguments[0]?.getText(source) ?? "";
        const form = /form\.get\("(\w+)"\)/.exec(arg);
        const of = arg.includes("searchParams")
          ? "query"
          : arg.includes("readOptionalJson(")
            ? "optional-json"
            : arg.includes("readJson(")
              ? "json"
              : form
                ? (`form:${form[1]}` as const)
                : null;
        if (!imported) throw new Error(`${file}: ${n.getText(source)} parses with a schema that is not imported`);
        if (of) found.push({ of, ...imported });
      }
      ts.forEachChild(n, walk);
    };
    walk(node);
    return found;
  };

  const methods = handlers.properties.map((prop) => {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name)) throw new Error(`${file}: unexpected handler`);
    const call = prop.initializer;
    if (!ts.isCallExpression(call) || call.expression.getText(source) !== "apiRoute") {
      throw new Error(`${file}: ${prop.name.text} is not an apiRoute(…)`);
    }
    const accessNode = call.arguments[0];
    if (!accessNode || !ts.isObjectLiteralExpression(accessNode)) throw new Error(`${file}: apiRoute without access`);
    const access: RouteMethod["access"] = {};
    for (const a of accessNode.properties) {
      if (!ts.isPropertyAssignment(a) || !ts.isIdentifier(a.name)) continue;
      const v = a.initializer;
      (access as Record<string, unknown>)[a.name.text] = ts.isStringLiteral(v)
        ? v.text
        : v.kind === ts.SyntaxKind.TrueKeyword;
    }
    const method = prop.name.text;
    return {
      key: `${method} ${openApiPath(folder)}`,
      file: path.relative(ROOT, file),
      path: openApiPath(folder),
      method,
      access,
      parses: parsesIn(call.arguments[1]!),
    };
  });
  // A handler that reads its input through a helper of the file (the upload route): the file's parses.
  if (methods.length === 1 && methods[0]!.parses.length === 0) methods[0]!.parses = parsesIn(source);
  return methods;
}

const routes = routeFiles(API_DIR)
  .filter((f) => !(path.relative(API_DIR, path.dirname(f)).split(path.sep).join("/") in NOT_DOCUMENTED))
  .flatMap(readRoute);

const doc = openApiDocument() as {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.keys(item).map((m) => ({ key: `${m.toUpperCase()} ${p}`, path: p, method: m, op: item[m]! })),
);
const specOf = (key: string): OperationSpec => {
  const spec = operations.find((o) => `${o.method.toUpperCase()} ${o.path}` === key);
  if (!spec) throw new Error(`no operation ${key}`);
  return spec;
};

async function schemaOf(ref: { module: string; name: string }): Promise<unknown> {
  const mod = (await import(/* @vite-ignore */ ref.module)) as Record<string, unknown>;
  if (!(ref.name in mod)) throw new Error(`${ref.module} has no export ${ref.name}`);
  return mod[ref.name];
}

describe("coverage", () => {
  it("finds the routes on disk", () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.map((r) => r.key)).toContain("GET /api/faces/{id}/crop.png");
  });

  it("documents every route and method on disk, and nothing else", () => {
    const onDisk = new Set(routes.map((r) => r.key));
    const inDoc = new Set(documented.map((d) => d.key));
    expect({
      missingFromDocument: [...onDisk].filter((k) => !inDoc.has(k)).sort(),
      documentedButNoRoute: [...inDoc].filter((k) => !onDisk.has(k)).sort(),
    }).toEqual({ missingFromDocument: [], documentedButNoRoute: [] });
  });

  it.each(routes.map((r) => [r.key, r] as const))("%s: the route's own access", (_key, route) => {
    const spec = specOf(route.key);
    if (route.access.public) {
      expect(spec.access).toEqual({ public: true });
    } else {
      expect(spec.access).toEqual({
        permission: route.access.permission,
        ...(route.access.sessionOnly ? { sessionOnly: true } : {}),
      });
    }
    // An upload route takes multipart as well as JSON; a JSON route does not.
    expect(Boolean(spec.body?.form), "multipart form documented").toBe(route.access.body === "upload");
    // Path parameters: the folder's [name]s.
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    expect(Object.keys(spec.pathParams ?? {})).toEqual(names);
  });

  it.each(routes.map((r) => [r.key, r] as const))("%s: the schemas the route parses", async (_key, route) => {
    const spec = specOf(route.key);
    const query = route.parses.filter((p) => p.of === "query");
    const json = route.parses.filter((p) => p.of === "json" || p.of === "optional-json");
    const form = route.parses.filter((p) => p.of.startsWith("form:"));
    expect(query.length, "query schemas parsed").toBeLessThanOrEqual(1);
    expect(json.length, "JSON body schemas parsed").toBeLessThanOrEqual(1);
    // Compared by identity: the document must hold the route's own schema object, not a copy.
    const same = async (documentedSchema: unknown, parsed: (typeof route.parses)[number] | undefined, what: string) =>
      expect(
        documentedSchema === (parsed ? await schemaOf(parsed) : undefined),
        parsed
          ? `${what}: the route parses ${parsed.name} from ${parsed.module}; the document has another schema`
          : `${what}: the route parses none; the document has one`,
      ).toBe(true);
    await same(spec.query?.schema, query[0], "query");
    await same(spec.body?.json, json[0], "JSON body");
    if (json[0]) expect(spec.body?.required, "body required").toBe(json[0].of === "json");
    for (const field of form) await same(spec.body?.form?.shape[field.of.slice("form:".length)], field, field.of);
  });
});

describe("the document", () => {
  it("is OpenAPI 3.1 for this version of the app, served from the app's own origin", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "Emotion Loop API", version: packageJson.version });
    expect(doc.servers).toEqual([{ url: "/" }]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it.each(documented.map((d) => [d.key, d] as const))("%s is complete", (_key, { path: p, op }) => {
    expect(op.operationId).toEqual(expect.any(String));
    expect(op.summary).toEqual(expect.any(String));
    expect(tags.map((t) => t.name)).toEqual(expect.arrayContaining(op.tags as string[]));
    const responses = op.responses as Record<string, { description: string }>;
    expect(
      Object.keys(responses).some((s) => /^2\d\d$/.test(s)),
      "a success answer",
    ).toBe(true);
    for (const r of Object.values(responses)) expect(r.description.length).toBeGreaterThan(3);
    // Who may call it: a public operation says so with an empty list; the others name schemes that exist.
    const security = op.security as Record<string, unknown>[];
    expect(Array.isArray(security)).toBe(true);
    if (security.length === 0) {
      expect(op["x-permission"]).toBeUndefined();
    } else {
      for (const s of security) for (const name of Object.keys(s)) expect(SECURITY_SCHEMES).toHaveProperty(name);
      expect(responses).toHaveProperty("401");
      expect(responses).toHaveProperty("403");
      expect(op["x-roles"]).toEqual(expect.arrayContaining(["ADMIN"]));
    }
    // Every {name} in the path is a path parameter, and the other way round.
    const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const params = ((op.parameters ?? []) as { in: string; name: string }[]).filter((x) => x.in === "path");
    expect(params.map((x) => x.name).sort()).toEqual(inPath);
  });

  it("has operation ids that are unique", () => {
    const ids = documented.map((d) => d.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("resolves every $ref", () => {
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") refs.add(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(10);
    const unresolved = [...refs].filter((ref) => {
      if (!ref.startsWith("#/")) return true;
      let at: unknown = doc;
      for (const part of ref.slice(2).split("/")) at = (at as Record<string, unknown> | undefined)?.[part];
      return at === undefined;
    });
    expect(unresolved).toEqual([]);
  });

  it("has schemas that compile as JSON Schema 2020-12", () => {
    for (const closed of [false, true]) {
      const schemas = documentSchemas(doc, { closed });
      expect(schemas.names.length).toBeGreaterThan(30);
      for (const name of schemas.names) expect(() => schemas.get(name), name).not.toThrow();
    }
  });

  it("describes errors with the error body", () => {
    for (const { key, op } of documented) {
      const answers = specOf(key).responses;
      for (const [status, r] of Object.entries(op.responses as Record<string, { content?: object }>)) {
        // Statuses the operation answers with a body of its own (the health check's 503) are not errors.
        if (!/^[45]\d\d$|^default$/.test(status) || status in answers) continue;
        expect(JSON.stringify(r.content), `${key} ${status}`).toMatch(/#\/components\/schemas\/\w*Error"/);
      }
    }
  });
});
