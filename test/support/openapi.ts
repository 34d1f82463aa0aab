import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";

type Json = { [key: string]: unknown };

/**
 * JSON Schema 2020-12 validators for the schemas of an OpenAPI 3.1 document (`components.schemas`,
 * whose `$ref`s point into the document). Formats the document uses are checked loosely (a
 * date-time must parse), the rest are annotations.
 *
 * `closed`: objects accept only the properties the document lists (it leaves answers open to new
 * fields), so a test finds a field the code sends but the document does not name.
 */
export function documentSchemas(doc: { components: { schemas: Json } }, opts: { closed?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword("components");
  ajv.addFormat("date-time", { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addFormat("email", /^[^\s@]+@[^\s@]+$/);
  ajv.addFormat("binary", true);
  const schemas = opts.closed ? closeObjects(doc.components.schemas) : doc.components.schemas;
  ajv.addSchema({ $id: "openapi", components: { schemas } });
  return {
    names: Object.keys(schemas),
    /** The validator of `#/components/schemas/<name>`, or of a `$ref` to it. */
    get(nameOrRef: string): ValidateFunction {
      const name = nameOrRef.replace(/^#\/components\/schemas\//, "");
      const v = ajv.getSchema(`openapi#/components/schemas/${name}`);
      if (!v) throw new Error(`no schema ${name} in the document`);
      return v;
    },
  };
}

/** Every object schema with `properties` and no `additionalProperties` gets `additionalProperties: false`. */
function closeObjects<T>(value: T): T {
  if (Array.isArray(value)) return value.map(closeObjects) as T;
  if (!value || typeof value !== "object") return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // `properties` maps names to schemas: a property named like a keyword is still a property.
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as Json).map(([n, s]) => [n, closeObjects(s)]))
        : closeObjects(v);
  }
  if (out.type === "object" && out.properties && !("additionalProperties" in out)) out.additionalProperties = false;
  return out as T;
}

/** ajv's errors as lines: where, what. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}
