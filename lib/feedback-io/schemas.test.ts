import { describe, expect, it } from "vitest";
import { exportQuerySchema, feedbackRowSchema, matchEmotionLabel, parseTimestamp } from "@/lib/feedback-io/schemas";

describe("parseTimestamp", () => {
  it.each([
    [
      "Python isoformat() with microseconds, no zone (read as UTC)",
      "2024-05-01T12:34:56.789012",
      "2024-05-01T12:34:56.789Z",
    ],
    ["str(datetime) with a space", "2024-05-01 12:34:56", "2024-05-01T12:34:56.000Z"],
    ["minutes only", "2024-05-01 12:34", "2024-05-01T12:34:00.000Z"],
    ["a date alone", "2024-05-01", "2024-05-01T00:00:00.000Z"],
    ["UTC with Z", "2024-05-01T12:34:56.5Z", "2024-05-01T12:34:56.500Z"],
    ["a positive offset", "2024-05-01T12:34:56+02:00", "2024-05-01T10:34:56.000Z"],
    ["a negative offset without colon", "2024-05-01T12:34:56-0130", "2024-05-01T14:04:56.000Z"],
    ["Unix seconds", "1714566896", "2024-05-01T12:34:56.000Z"],
    ["Unix seconds with a fraction", "1714566896.25", "2024-05-01T12:34:56.250Z"],
    ["surrounding spaces", "  2024-05-01T12:34:56Z ", "2024-05-01T12:34:56.000Z"],
  ])("reads %s", (_what, raw, iso) => {
    expect(parseTimestamp(raw)?.toISOString()).toBe(iso);
  });

  it.each([
    ["", "empty"],
    ["yesterday", "words"],
    ["2024-02-30 10:00:00", "an impossible date"],
    ["2024-05-01T25:00", "hour 25"],
    ["01/05/2024", "a day-first date"],
  ])("refuses %j (%s)", (raw) => {
    expect(parseTimestamp(raw)).toBeNull();
  });
});

describe("matchEmotionLabel", () => {
  it.each([
    ["Happy", "happy"],
    [" SAD ", "sad"],
    ["neutral", "neutral"],
    ["contempt", null],
    ["", null],
  ])("%j → %j", (raw, label) => {
    expect(matchEmotionLabel(raw)).toBe(label);
  });
});

describe("feedbackRowSchema", () => {
  const good = {
    timestamp: "2024-05-01 12:00:00",
    predicted_emotion: "Happy",
    confidence: "0.82",
    corrected_emotion: "sad",
    image_path: " feedback_images/a.png ",
  };

  it("normalises a good row", () => {
    expect(feedbackRowSchema.parse(good)).toEqual({
      timestamp: new Date("2024-05-01T12:00:00Z"),
      predicted_emotion: "happy",
      confidence: 0.82,
      corrected_emotion: "sad",
      image_path: "feedback_images/a.png",
    });
  });

  it.each([
    [
      "an unknown predicted label",
      { predicted_emotion: "Contempt" },
      "predicted_emotion",
      /unknown emotion "Contempt"/,
    ],
    ["an empty corrected label", { corrected_emotion: "" }, "corrected_emotion", /unknown emotion ""/],
    ["a confidence above 1", { confidence: "1.5" }, "confidence", /between 0 and 1/],
    ["a confidence that is not a number", { confidence: "high" }, "confidence", /not a number/],
    ["an empty confidence", { confidence: "" }, "confidence", /not a number/],
    ["a bad timestamp", { timestamp: "soon" }, "timestamp", /unreadable timestamp/],
    ["an empty image path", { image_path: "  " }, "image_path", /empty/],
  ])("refuses %s", (_what, change, column, message) => {
    const r = feedbackRowSchema.safeParse({ ...good, ...change });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([column]);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });
});

describe("exportQuerySchema", () => {
  it.each([
    [{}, "csv"],
    [{ format: "csv" }, "csv"],
    [{ format: "jsonl" }, "jsonl"],
  ])("%j → %s", (query, format) => {
    expect(exportQuerySchema.parse(query).format).toBe(format);
  });

  it("refuses an unknown format", () => {
    expect(exportQuerySchema.safeParse({ format: "xlsx" }).success).toBe(false);
  });
});
