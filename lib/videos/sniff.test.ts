import { describe, expect, it } from "vitest";
import { sniffVideoFormat } from "./sniff";

const ftyp = (brand: string) =>
  Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from("ftyp" + brand, "latin1"), Buffer.alloc(20)]);

describe("sniffVideoFormat", () => {
  it.each([
    ["an MP4 (isom)", ftyp("isom"), "mp4"],
    ["an MP4 (mp42)", ftyp("mp42"), "mp4"],
    ["a QuickTime movie", ftyp("qt  "), "mov"],
    ["a WebM", Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]), "webm"],
    ["text", Buffer.from("just some text, not a video\n"), null],
    ["a JPEG", Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]), null],
    ["an ftyp box too small to be real", Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from("ftypisom")]), null],
    ["nothing", Buffer.alloc(0), null],
  ])("%s", (_what, bytes, format) => {
    expect(sniffVideoFormat(bytes)).toBe(format);
  });
});
