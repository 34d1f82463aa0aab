/**
 * A page's keyboard shortcuts as data: the legend beside the work, the `?` overlay and the page's key
 * handler all read the same list, so what is shown is what the keys do.
 */

/** One row of a legend: the keys ("–" between two digits reads "to") and what they do. */
export interface KeyBinding {
  keys: readonly string[];
  action: string;
}

/**
 * A shortcut the page's handler acts on, found by `matchShortcut`. Each entry of `keys` is one key
 * that triggers it, as shown: a letter or digit ("C", "7"), a name ("Enter", "Esc", "Home", "←"),
 * a symbol ("/", "?"), or any of those after "Ctrl " (Ctrl or ⌘), "Alt " or "Shift " (a letter
 * without "Shift " must be typed without it; a symbol is matched as typed, Shift or not).
 */
export interface Shortcut<Id extends string = string> extends KeyBinding {
  id: Id;
}

/** The shortcuts of one part of a page ("In the Incorrect form"), as the overlay lists them. */
export interface ShortcutGroup {
  title: string;
  shortcuts: readonly KeyBinding[];
}

/** Opens and closes the list of every shortcut, on every page that has shortcuts. */
export const helpShortcut = {
  id: "help",
  keys: ["?"],
  action: "Show or hide every shortcut",
} as const satisfies Shortcut;

const named: Record<string, string> = {
  esc: "Escape",
  enter: "Enter",
  home: "Home",
  end: "End",
  "←": "ArrowLeft",
  "→": "ArrowRight",
  "↑": "ArrowUp",
  "↓": "ArrowDown",
};

/** The parts of a KeyboardEvent a shortcut is matched on. */
export type KeyPress = Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">;

function matchesKey(token: string, e: KeyPress): boolean {
  const parts = token.split(" ");
  const base = parts.pop() ?? "";
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  if ((e.ctrlKey || e.metaKey) !== mods.has("ctrl") || e.altKey !== mods.has("alt")) return false;
  const name = named[base.toLowerCase()];
  if (name) return e.key === name && e.shiftKey === mods.has("shift");
  if (/^[a-z0-9]$/i.test(base)) return e.key.toLowerCase() === base.toLowerCase() && e.shiftKey === mods.has("shift");
  // "?" or "/": the character typed says it all (Shift is how "?" is typed on most layouts).
  return e.key === base;
}

/** Every key one shortcut answers to, with "1", "–", "7" read as 1 to 7. */
export function expandKeys(keys: readonly string[]): string[] {
  const out: string[] = [];
  keys.forEach((k, i) => {
    if (k !== "–") {
      out.push(k);
      return;
    }
    const from = Number(keys[i - 1]);
    const to = Number(keys[i + 1]);
    if (!Number.isInteger(from) || !Number.isInteger(to))
      throw new Error(`"–" must stand between two digits: ${keys.join(" ")}`);
    for (let d = from + 1; d < to; d++) out.push(String(d));
  });
  return out;
}

/** The first shortcut one of whose keys is this key press, or null. */
export function matchShortcut<S extends Shortcut>(shortcuts: readonly S[], e: KeyPress): S | null {
  return shortcuts.find((s) => expandKeys(s.keys).some((k) => matchesKey(k, e))) ?? null;
}
