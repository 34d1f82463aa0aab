import { z } from "zod";

/**
 * Row ids are Postgres `integer` columns: 1 … 2^31 − 1. A larger number would reach the database
 * and fail there as a 500, so every id the API accepts is checked against this first.
 */
export const MAX_ID = 2_147_483_647;

/**
 * An id in a JSON body: a JSON number that is a whole positive int4. Strings ("12", "1e3"), arrays
 * ([12]) and fractions are refused rather than coerced, so a client's bug shows up as a 400.
 */
export const idSchema = z
  .number({ error: "must be a whole number (a JSON number, not a string)" })
  .int("must be a whole number")
  .positive("must be positive")
  .max(MAX_ID, `must be at most ${MAX_ID}`);

/** An id in a query string or path: decimal digits only (no sign, exponent or fraction). */
export const queryIdSchema = z
  .string()
  .regex(/^\d{1,10}$/, "must be a whole number written in digits")
  .transform(Number)
  .pipe(idSchema);

/** A comma-separated list of ids in a query string, e.g. `exclude=4,9,12`. */
export const queryIdListSchema = z
  .string()
  .transform((s) => s.split(",").filter(Boolean))
  .pipe(z.array(queryIdSchema));

/** Whether a path segment names an id the database can hold. */
export function isIdText(raw: string | undefined): raw is string {
  return raw !== undefined && queryIdSchema.safeParse(raw).success;
}

/** A count in a query string (a page size): digits only, within bounds. */
export function queryCountSchema(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number written in digits")
    .transform(Number)
    .pipe(z.number().min(min).max(max));
}
