import { describe, expect, it } from "vitest";
import { askLabels, askPreprocessing, parseImportArgs, type Asker } from "@/training/import";
import { parseImportOptions } from "@/training/keras-import/import-model";

/** A terminal that answers from a script and records what it was asked. */
function terminal(answers: string[]): Asker & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    interactive: true,
    prompts,
    question: async (prompt) => {
      prompts.push(prompt);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${prompt}`);
      return answer;
    },
  };
}
const noTerminal: Asker = { interactive: false, question: async () => "" };

describe("model:import command line", () => {
  it("reads the path and the flags", () => {
    const { register, ...args } = parseImportArgs([
      "m.h5",
      "--labels",
      "a,b",
      "--preprocess",
      "unit",
      "--out",
      "/tmp/x",
    ]);
    expect(register).toBe(false);
    expect(args).toEqual({ source: "m.h5", labels: "a,b", preprocessing: "unit", out: "/tmp/x" });
    expect(parseImportOptions(args)).toEqual({
      source: "m.h5",
      labels: ["a", "b"],
      preprocessing: "unit",
      out: "/tmp/x",
    });
    expect(parseImportArgs(["m.h5", "--register"]).register).toBe(true);
    const { register: _r, ...withTta } = parseImportArgs(["m.h5", "--tta", "flip"]);
    expect(parseImportOptions(withTta)).toEqual({ source: "m.h5", testTimeAugmentation: "flip" });
    const { register: _s, ...withResize } = parseImportArgs(["m.h5", "--resize", "lanczos3"]);
    expect(parseImportOptions(withResize)).toEqual({ source: "m.h5", resizeFilter: "lanczos3" });
  });

  it.each([
    { argv: [], error: /^usage: npm run model:import/ },
    { argv: ["a.h5", "b.h5"], error: /expected one model path, got 2/ },
    { argv: ["a.h5", "--label", "x,y"], error: /Unknown option '--label'/ },
  ])("refuses $argv", ({ argv, error }) => {
    expect(() => parseImportArgs(argv)).toThrow(error);
  });

  it.each([
    {
      flag: "--labels happy,sad,Happy",
      options: { labels: "happy,sad,Happy" },
      error: "labels: labels must be unique",
    },
    { flag: "--labels happy", options: { labels: "happy" }, error: "labels: give at least two labels" },
    { flag: "--labels happy,,sad", options: { labels: "happy,,sad" }, error: "labels: labels must not be empty" },
    {
      flag: "--preprocess imagenet",
      options: { preprocessing: "imagenet" },
      error: "preprocessing: preprocessing must be one of: unit, symmetric",
    },
    {
      flag: "--tta rotate",
      options: { testTimeAugmentation: "rotate" },
      error: "testTimeAugmentation: test-time augmentation must be one of: none, flip, flip-shift",
    },
    {
      flag: "--resize cubic",
      options: { resizeFilter: "cubic" },
      error: "resizeFilter: resize filter must be one of: lanczos3, bilinear",
    },
  ])("refuses $flag", ({ options, error }) => {
    expect(() => parseImportOptions({ source: "m.h5", ...options })).toThrow(error);
  });
});

describe("asking for what the flags left out", () => {
  it.each([
    {
      outputs: 7,
      error:
        "The model has 7 outputs: pass --labels with 7 comma-separated class names in output order (FER2013 order: --labels angry,disgust,fear,happy,sad,surprise,neutral)",
    },
    { outputs: 3, error: "The model has 3 outputs: pass --labels with 3 comma-separated class names in output order" },
  ])("without a terminal, missing labels for $outputs outputs name the flag", async ({ outputs, error }) => {
    await expect(askLabels(outputs, noTerminal)).rejects.toThrow(error);
  });

  it("without a terminal, missing preprocessing names the flag and both modes", async () => {
    await expect(askPreprocessing(noTerminal)).rejects.toThrow(
      /^Pass --preprocess .*unit \(x\/255 → \[0, 1\]\) or symmetric/,
    );
  });

  it("offers the FER2013 order for a 7-output model and takes it on Enter", async () => {
    const t = terminal([""]);
    expect(await askLabels(7, t)).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
    expect(t.prompts[0]).toContain("[angry,disgust,fear,happy,sad,surprise,neutral]");
  });

  it("asks again until the count matches the outputs", async () => {
    const t = terminal(["", "a,b", "calm, tense ,other"]);
    expect(await askLabels(3, t)).toEqual(["calm", "tense", "other"]);
    expect(t.prompts).toHaveLength(3);
  });

  it("asks again until a known preprocessing is given", async () => {
    const t = terminal(["0-1", "Symmetric"]);
    expect(await askPreprocessing(t)).toBe("symmetric");
  });
});
