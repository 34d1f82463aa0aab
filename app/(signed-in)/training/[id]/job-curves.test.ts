import { describe, expect, it } from "vitest";
import { validationCaption } from "./job-curves";

describe("validationCaption", () => {
  it.each([
    [
      "a job that replayed nothing",
      { train: { reviewed: 18, replay: 0 }, validation: { reviewed: 2, replay: 0 } },
      "validation is 2 of the 20 reviewed faces (a tenth, not trained on); nothing was replayed.",
    ],
    [
      "a job with replay",
      { train: { reviewed: 9, replay: 945 }, validation: { reviewed: 1, replay: 105 } },
      "validation is 1 of the 10 reviewed faces (a tenth, not trained on) and 105 of the 1050 replayed faces from the base model’s training data.",
    ],
    [
      "a job from before the sizes were recorded",
      null,
      "validation is a tenth of the faces it trained on (this job did not record how many).",
    ],
  ])("%s", (_, sizes, text) => {
    expect(validationCaption(sizes)).toBe(text);
  });
});
