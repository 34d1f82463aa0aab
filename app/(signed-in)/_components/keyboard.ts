/** Keys typed into these are text, not shortcuts. */
export function isTextEntry(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return true;
  if (t instanceof HTMLInputElement) {
    return !["radio", "checkbox", "button", "submit", "reset", "range", "color", "file", "image"].includes(t.type);
  }
  return false;
}

/** Enter already means "press this" on these; it must not also answer the face. */
export function activatesOnEnter(t: EventTarget | null): boolean {
  return (
    t instanceof HTMLButtonElement ||
    t instanceof HTMLAnchorElement ||
    (t instanceof HTMLElement && t.tagName === "SUMMARY") ||
    (t instanceof HTMLInputElement && ["button", "submit", "reset", "file", "image"].includes(t.type))
  );
}
