import { describe, expect, it } from "vitest";
import { pickCounterpart, scoredTogether, type CounterpartRow } from "./counterpart";

function row(
  id: number,
  status: CounterpartRow["status"],
  parent: number | null,
  judgedAgainst: number | null = null,
): CounterpartRow {
  const metrics =
    judgedAgainst === null
      ? null
      : {
          holdout: { n: 12, accuracy: 0.5, macro_f1: 0.5, per_class: {}, confusion: [], ece: 0 },
          golden: null,
          active_version: judgedAgainst,
          active_holdout: null,
          active_golden: null,
        };
  return { id, version: id, name: `v${id}`, status, parent_id: parent, metrics };
}

// Newest first, as GET /api/models lists them. 1 installed; 3 trained from 1 (judged against 1) and
// promoted; rolled back to 1; 5 trained from 1 (judged against 1), kept as a candidate.
const v1 = row(1, "ACTIVE", null);
const v3 = row(3, "ARCHIVED", 1, 1);
const v5 = row(5, "CANDIDATE", 1, 1);
const all = [v5, v3, v1];

describe("pickCounterpart", () => {
  it.each([
    ["a trained version: its parent", v3, undefined, 1, "its parent"],
    ["a version the address chose", v3, 5, 5, "candidate"],
    ["its parent again when the address names itself or nothing known", v3, 3, 1, "its parent"],
    ["an unknown id in the address", v5, 99, 1, "its parent"],
    // The active baseline after the rollback: no parent, it is the active one; the newest version
    // scored beside it on the same faces, and the heading says how they relate.
    ["the active version without a parent", v1, undefined, 5, "fine-tuned from it"],
  ])("%s", (_, model, chosen, version, role) => {
    const c = pickCounterpart(model, all, chosen)!;
    expect(c.version.version).toBe(version);
    expect(c.role).toBe(role);
  });

  it("falls back to the active version for a version without a parent", () => {
    const imported = row(6, "CANDIDATE", null);
    expect(pickCounterpart(imported, [imported, ...all])?.role).toBe("the active one");
  });

  it("has nothing to compare a lone version with", () => {
    expect(pickCounterpart(v1, [v1])).toBeNull();
  });
});

describe("scoredTogether", () => {
  it.each([
    [v3, v1, true],
    [v1, v5, true],
    [v3, v5, false],
    [v1, v1, false],
  ])("v%#", (a, b, together) => {
    expect(scoredTogether(a, b)).toBe(together);
  });
});
