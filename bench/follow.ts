/**
 * `npm run bench:follow -- [--runs 3] [--out bench/results]`: what searching only around the faces
 * of the frame before (lib/faces/region-search.ts, used between full detections of a video's
 * frames) finds and costs, against a full Tiny detection. Each sample photo is moved by a few tens
 * of pixels, as a face moves between two frames; the moved photo is searched whole and in the
 * regions of the unmoved photo's faces. The detector's own consistency under the same move (the
 * unmoved photo's boxes moved along against the moved photo's full detection) is the yardstick for
 * the regions' boxes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REGION_INPUT_SIZES } from "@/lib/faces/region-search";
import { getTf } from "@/lib/tf/backend";
import { followCases, matches, median, type FollowCase } from "@/test/support/shifted-photos";
import { machineInfo, markdownTable } from "./support/report";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main() {
  const runs = Number(arg("runs", "3"));
  const out = arg("out", "bench/results");
  const rt = await getTf();
  await followCases(); // warm-up: weights loaded, kernels run once
  const timed: FollowCase[][] = [];
  for (let r = 0; r < runs; r++) timed.push(await followCases());
  const cases = timed[0]!;

  const rows = cases.map((c, i) => {
    const byRegion = matches(c.full, c.regions.faces);
    const moved = matches(c.full, c.moved);
    return {
      photo: c.photo,
      shift: `${c.dx},${c.dy}`,
      full_faces: c.full.length,
      region_faces: c.regions.faces.length,
      found_by_regions: byRegion.matched,
      regions_iou_median: median(byRegion.ious),
      moved_iou_median: median(moved.ious),
      full_ms: median(timed.map((t) => t[i]!.fullMs)),
      regions_ms: median(timed.map((t) => t[i]!.regionsMs)),
    };
  });
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
  const allRegionIous = cases.flatMap((c) => matches(c.full, c.regions.faces).ious);
  const allMovedIous = cases.flatMap((c) => matches(c.full, c.moved).ious);
  const total = {
    full_faces: sum((r) => r.full_faces),
    found_by_regions: sum((r) => r.found_by_regions),
    regions_iou_median: median(allRegionIous),
    moved_iou_median: median(allMovedIous),
    full_ms: sum((r) => r.full_ms),
    regions_ms: sum((r) => r.regions_ms),
  };

  const m = machineInfo();
  const date = new Date().toISOString().slice(0, 10);
  const md = [
    `# bench:follow — ${date}`,
    "",
    `${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB; backend ${rt.backend} (${rt.threads ?? 1} thread${(rt.threads ?? 1) > 1 ? "s" : ""}); load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" / ")} at the end. Tiny Face Detector; regions ${REGION_INPUT_SIZES.join(
      " → ",
    )} px (the next size only for a region that found nothing). Milliseconds are medians of ${runs} runs, in this process (no inference thread).`,
    "",
    `All ${rows.length} moved photos: full detection finds ${total.full_faces} faces; the regions find ${total.found_by_regions} of them ` +
      `(IoU ≥ 0.5), median IoU ${total.regions_iou_median.toFixed(2)} (the detector against itself under the move: ` +
      `${total.moved_iou_median.toFixed(2)}); ${total.full_ms.toFixed(0)} ms of full detections against ${total.regions_ms.toFixed(0)} ms of region searches ` +
      `(${(total.full_ms / total.regions_ms).toFixed(1)}×).`,
    "",
    markdownTable(
      [
        "photo",
        "shift px",
        "faces (full)",
        "found by regions",
        "regions IoU median",
        "moved IoU median",
        "full ms",
        "regions ms",
      ],
      rows.map((r) => [
        r.photo,
        r.shift,
        String(r.full_faces),
        String(r.found_by_regions),
        r.regions_iou_median.toFixed(2),
        r.moved_iou_median.toFixed(2),
        r.full_ms.toFixed(1),
        r.regions_ms.toFixed(1),
      ]),
    ),
    "",
  ].join("\n");
  console.log(md);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, `follow-${date}.md`), md);
  fs.writeFileSync(
    path.join(out, `follow-${date}.json`),
    `${JSON.stringify({ date, machine: m, backend: rt.backend, total, rows }, null, 2)}\n`,
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
