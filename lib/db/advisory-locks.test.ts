import { describe, expect, it } from "vitest";
import { ADVISORY_LOCKS } from "@/lib/db/advisory-locks";

describe("advisory lock keys", () => {
  it("gives every operation a key of its own", () => {
    const keys = Object.values(ADVISORY_LOCKS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
