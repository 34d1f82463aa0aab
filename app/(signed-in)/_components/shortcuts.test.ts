import { describe, expect, it } from "vitest";
import { expandKeys, helpShortcut, matchShortcut, type KeyPress, type Shortcut } from "./shortcuts";

const shortcuts = [
  { id: "correct", keys: ["C", "Enter"], action: "Correct" },
  { id: "emotion", keys: ["1", "–", "7"], action: "This emotion" },
  { id: "undo", keys: ["Z", "Ctrl Z"], action: "Undo" },
  { id: "range", keys: ["Shift X"], action: "Select a range" },
  { id: "move", keys: ["←", "→"], action: "Move" },
  { id: "filters", keys: ["/"], action: "Filters" },
  helpShortcut,
] as const satisfies readonly Shortcut[];

function press(key: string, mods: Partial<Omit<KeyPress, "key">> = {}): KeyPress {
  return { key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe("matchShortcut", () => {
  it.each([
    [press("c"), "correct"],
    [press("C"), "correct"], // Caps Lock
    [press("Enter"), "correct"],
    [press("1"), "emotion"],
    [press("4"), "emotion"],
    [press("7"), "emotion"],
    [press("z"), "undo"],
    [press("z", { ctrlKey: true }), "undo"],
    [press("z", { metaKey: true }), "undo"],
    [press("X", { shiftKey: true }), "range"],
    [press("ArrowLeft"), "move"],
    [press("ArrowRight"), "move"],
    [press("/"), "filters"],
    [press("?", { shiftKey: true }), "help"],
  ])("%o → %s", (e, id) => {
    expect(matchShortcut(shortcuts, e)?.id).toBe(id);
  });

  it.each([
    ["a digit outside the range", press("8")],
    ["a digit below it", press("0")],
    ["Ctrl with a plain letter", press("c", { ctrlKey: true })],
    ["Alt with a plain letter", press("c", { altKey: true })],
    ["Shift with a plain letter", press("C", { shiftKey: true })],
    ["Ctrl Shift Z", press("Z", { ctrlKey: true, shiftKey: true })],
    ["a letter without the Shift it needs", press("x")],
    ["Shift with an arrow", press("ArrowLeft", { shiftKey: true })],
    ["a key nobody listed", press("q")],
  ])("%s matches nothing", (_, e) => {
    expect(matchShortcut(shortcuts, e)).toBeNull();
  });
});

describe("expandKeys", () => {
  it("reads a dash between two digits as every digit between them", () => {
    expect(expandKeys(["1", "–", "4"])).toEqual(["1", "2", "3", "4"]);
  });
  it("refuses a dash that is not between two digits", () => {
    expect(() => expandKeys(["A", "–", "C"])).toThrow(/between two digits/);
  });
});
