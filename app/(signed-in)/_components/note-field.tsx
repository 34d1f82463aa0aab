import type { ComponentProps, ReactNode } from "react";
import { NOTE_MAX_CHARS } from "@/lib/review/schemas";

/**
 * The optional note of a verdict or a decision: a labelled one-line input, as long as the API takes.
 * The rest of the props go to the input (a value and onChange, or react-hook-form's register()).
 */
export function NoteField({
  id,
  hint = "optional",
  error,
  ...input
}: { id: string; hint?: string; error?: ReactNode } & Omit<ComponentProps<"input">, "id" | "type">) {
  return (
    <div className="field">
      <label htmlFor={id}>
        Note <span className="optional">({hint})</span>
      </label>
      <input
        id={id}
        type="text"
        autoComplete="off"
        maxLength={NOTE_MAX_CHARS}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...input}
      />
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
