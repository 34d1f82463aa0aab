import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Zip, ZipPassThrough } from "fflate";
import type { Db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/prisma/client";
import { faceFlags } from "@/lib/dataset/verdict-label";
import { matchingFaceIds } from "@/lib/dataset/browse";
import type { FaceQuery } from "@/lib/dataset/schemas";
import { csvLine } from "@/lib/feedback-io/csv";
import { openTextPageStream } from "@/lib/feedback-io/page-stream";
import { DATASET_COLUMNS } from "@/lib/feedback-io/schemas";
import { readFeedbackFile } from "@/lib/storage/files";

export type DatasetFormat = "csv" | "jsonl" | "imagefolder";

/** One labelled face as exported: the previous tool's columns first, then the dataset's own. */
export interface DatasetRecord {
  /** When the face was predicted (ISO 8601, UTC). */
  timestamp: string;
  predicted_emotion: string;
  confidence: number;
  /** The face's label for training: its consensus emotion, the adjudicated one, or the golden label. */
  corrected_emotion: string;
  /** The crop: relative to FEEDBACK_IMAGES_DIR, or inside the imagefolder zip `<label>/<crop sha256>.png`. */
  image_path: string;
  face_id: number;
  crop_sha256: string;
  /** agreed, adjudicated, open (a majority so far) or golden. */
  label_state: string;
  support: number;
  verdicts: number;
  golden: boolean;
  model_version: number;
  upload_id: number;
  flags: string;
}

export const datasetContent: Record<DatasetFormat, { contentType: string; fileName: string }> = {
  csv: { contentType: "text/csv; charset=utf-8", fileName: "dataset.csv" },
  jsonl: { contentType: "application/x-ndjson", fileName: "dataset.jsonl" },
  imagefolder: { contentType: "application/zip", fileName: "dataset.zip" },
};

const PAGE = 500;

/** A CSV cell: booleans as true/false. */
const cell = (v: string | number | boolean) => (typeof v === "boolean" ? String(v) : v);

/**
 * The labelled faces matching a filter (the dataset browser's), in face order, a page at a time.
 * Only faces with a training label are exported — an emotion the verdicts agree on (or a majority so
 * far), an adjudication, or a golden label — never ties, "not a face", "can't tell" or faces an admin
 * excluded; a crop uploaded twice is exported once (its first face).
 */
export async function* datasetRecordPages(db: Db, filter: FaceQuery): AsyncGenerator<DatasetRecord[]> {
  const selection = matchingFaceIds(filter);
  let after = 0;
  for (;;) {
    const rows = await db.$queryRaw<
      {
        id: number;
        predictedAt: Date;
        label: string;
        confidence: number;
        cropPath: string;
        cropSha256: string;
        golden: boolean;
        goldenLabel: string | null;
        state: string;
        consensusLabel: string;
        support: number;
        verdicts: number;
        version: number;
        uploadId: number;
        suspect: boolean;
        disputed: boolean;
      }[]
    >`SELECT f."id", s."predictedAt", p."label", p."confidence", f."cropPath", f."cropSha256", f."golden",
             f."goldenLabel", s."state"::text AS state, COALESCE(f."goldenLabel", s."consensusLabel") AS "consensusLabel",
             s."support", s."verdicts", m."version", f."uploadId", s."suspect", s."disputed"
      FROM "Face" f
      JOIN "FaceState" s ON s."faceId" = f."id"
      JOIN "Prediction" p ON p."id" = s."predictionId"
      JOIN "ModelVersion" m ON m."id" = p."modelVersionId"
      WHERE f."id" > ${after} AND f."id" IN (${selection}) AND ${LABELLED}
        AND NOT EXISTS (
          SELECT 1 FROM "Face" f2 JOIN "FaceState" s2 ON s2."faceId" = f2."id"
          WHERE f2."cropSha256" = f."cropSha256" AND f2."id" < f."id" AND ${LABELLED_2})
      ORDER BY f."id"
      LIMIT ${PAGE}`;
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      timestamp: r.predictedAt.toISOString(),
      predicted_emotion: r.label,
      confidence: r.confidence,
      corrected_emotion: r.consensusLabel,
      image_path: r.cropPath,
      face_id: r.id,
      crop_sha256: r.cropSha256,
      label_state: r.golden && r.goldenLabel ? "golden" : r.state.toLowerCase(),
      support: r.support,
      verdicts: r.verdicts,
      golden: r.golden,
      model_version: r.version,
      upload_id: r.uploadId,
      flags: faceFlags(r).join(" "),
    }));
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** A face with a label to train on (see datasetRecordPages), for the face `f` and its state `s`. */
const labelled = (f: string, s: string) =>
  Prisma.raw(`${f}."excludedAt" IS NULL AND (
    (${f}."golden" AND ${f}."goldenLabel" IS NOT NULL)
    OR (${s}."consensusLabel" IS NOT NULL AND ${s}."consensusLabel" NOT IN ('not_a_face', 'unsure')
        AND ${s}."state" <> 'CONFLICT'))`);
const LABELLED = labelled(`f`, `s`);
const LABELLED_2 = labelled(`f2`, `s2`);

/**
 * The export as a stream. csv / jsonl: one line per face (see openTextPageStream). imagefolder: a
 * zip with `<label>/<crop sha256>.png` and `metadata.csv` (`file_name` first, as Hugging Face's
 * imagefolder loader wants; Keras' `image_dataset_from_directory` reads the label folders and
 * ignores it), written as the crops are read. The metadata rows wait in a temporary file, not in
 * memory, until the images are in; the first page is read before this returns, so a failing
 * database is an ordinary error response.
 */
export async function openDatasetExport(db: Db, format: DatasetFormat, filter: FaceQuery) {
  const pages = datasetRecordPages(db, filter);
  if (format !== "imagefolder") {
    return openTextPageStream(pages, {
      header: format === "csv" ? csvLine(DATASET_COLUMNS) : "",
      render: (records) =>
        records
          .map((r) => (format === "jsonl" ? JSON.stringify(r) + "\n" : csvLine(DATASET_COLUMNS.map((c) => cell(r[c])))))
          .join(""),
      name: "dataset",
    });
  }
  return openImagefolderStream(pages);
}

const METADATA_CHUNK = 256 * 1024;

const METADATA_COLUMNS = ["file_name", "label", ...DATASET_COLUMNS.filter((c) => c !== "image_path")] as const;

function metadataLine(name: string, r: DatasetRecord): string {
  const rest = DATASET_COLUMNS.filter((c) => c !== "image_path").map((c) => cell(r[c]));
  return csvLine([name, r.corrected_emotion, ...rest]);
}

async function openImagefolderStream(pages: AsyncGenerator<DatasetRecord[]>): Promise<ReadableStream<Uint8Array>> {
  let pending: DatasetRecord[] | null = null;
  const first = await pages.next();
  if (!first.done) pending = first.value;
  let finished = first.done ?? false;
  const spoolDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "el-export-"));
  const spool = path.join(spoolDir, "metadata.csv");
  await fs.promises.writeFile(spool, csvLine(METADATA_COLUMNS));
  let metadata: { entry: ZipPassThrough; file: fs.promises.FileHandle } | null = null;
  const cleanUp = async () => {
    await metadata?.file.close().catch(() => {});
    await fs.promises.rm(spoolDir, { recursive: true, force: true });
  };
  let zip: Zip;
  // One entry at a time, each whole before the next: the stream's queue applies back-pressure through pull().
  const add = (name: string, data: Uint8Array) => {
    const entry = new ZipPassThrough(name);
    zip.add(entry);
    entry.push(data, true);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((err, chunk, final) => {
        if (err) return controller.error(err);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
    },
    async pull(controller) {
      try {
        if (pending === null && !finished) {
          const next = await pages.next();
          if (next.done) finished = true;
          else pending = next.value;
        }
        if (pending) {
          let lines = "";
          for (const r of pending) {
            const name = `${r.corrected_emotion}/${r.crop_sha256}.png`;
            add(name, new Uint8Array(await readFeedbackFile(r.image_path)));
            lines += metadataLine(name, r);
          }
          await fs.promises.appendFile(spool, lines);
          pending = null;
          if (!finished) return;
        }
        // The last entry: the metadata, read back from the spool file a chunk per pull.
        if (!metadata) {
          metadata = { entry: new ZipPassThrough("metadata.csv"), file: await fs.promises.open(spool, "r") };
          zip.add(metadata.entry);
        }
        const chunk = Buffer.alloc(METADATA_CHUNK);
        const { bytesRead } = await metadata.file.read(chunk, 0, METADATA_CHUNK, null);
        if (bytesRead > 0) {
          metadata.entry.push(new Uint8Array(chunk.subarray(0, bytesRead)), false);
          return;
        }
        metadata.entry.push(new Uint8Array(0), true);
        zip.end();
        await cleanUp();
      } catch (err) {
        console.error("[export] imagefolder export failed mid-stream", err);
        await cleanUp();
        controller.error(err);
      }
    },
    async cancel() {
      await pages.return(undefined);
      await cleanUp();
    },
  });
}
