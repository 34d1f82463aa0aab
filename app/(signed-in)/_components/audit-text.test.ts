import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { auditActionSentence } from "./audit-text";

describe("auditActionSentence", () => {
  it.each(AUDIT_ACTIONS.map((a) => [a]))("puts %s in words", (action) => {
    const text = auditActionSentence(action);
    expect(text).not.toContain(action);
    expect(text).toMatch(/^[A-Z][A-Za-z]/);
    expect(text).not.toMatch(/[._]/);
  });

  it.each([
    ["model.retire", "Model retire"],
    ["settings.export_limits", "Settings export limits"],
    ["", "Recorded change"],
  ])("words an action it does not know: %j → %s", (action, text) => {
    expect(auditActionSentence(action)).toBe(text);
  });
});
