import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { imageToInput } from "@/lib/model/preprocess";
import { samplePhoto } from "@/test/support/http";
import { grayCropToInput } from "./model-input";

describe("grayCropToInput", () => {
  // The server's input for a stored 48×48 crop PNG, against the pure function on its pixels.
  it.each([
    ["unit", "lanczos3", 1],
    ["symmetric", "lanczos3", 1],
    ["symmetric", "bilinear", 1],
    ["unit", "bilinear", 3],
  ] as const)("%s, %s, %i channel(s): equal to imageToInput on the crop's PNG", async (preprocessing, filter, c) => {
    const gray = await sharp(samplePhoto(3)).toColourspace("b-w").resize(48, 48).raw().toBuffer();
    const png = await sharp(gray, { raw: { width: 48, height: 48, channels: 1 } })
      .toColourspace("b-w")
      .png()
      .toBuffer();
    const meta = { inputShape: [48, 48, c] as [number, number, 1 | 3], preprocessing, resizeFilter: filter };
    const server = await imageToInput(png, meta);
    expect(Array.from(grayCropToInput(new Uint8Array(gray), 48, 48, meta))).toEqual(Array.from(server));
  });

  it("resizes bilinear crops to a larger model input exactly as the server", async () => {
    const gray = await sharp(samplePhoto(4)).toColourspace("b-w").resize(48, 48).raw().toBuffer();
    const png = await sharp(gray, { raw: { width: 48, height: 48, channels: 1 } })
      .png()
      .toBuffer();
    const meta = {
      inputShape: [64, 64, 1] as [number, number, 1],
      preprocessing: "unit" as const,
      resizeFilter: "bilinear" as const,
    };
    expect(Array.from(grayCropToInput(new Uint8Array(gray), 48, 48, meta))).toEqual(
      Array.from(await imageToInput(png, meta)),
    );
  });
});
