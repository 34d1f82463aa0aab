/**
 * Compile-time proof that the documented answers (`responses.ts`) are what the code sends: for each
 * answer, the type of the function that forms it (as JSON: Dates become strings) must fit the
 * schema field for field — no field sent that is not documented, no required field documented
 * that is not sent, no type that differs. A failure names the path, e.g. `.faces[].box.x`.
 * Only types are imported: nothing here runs.
 */
import type { z } from "zod";
import type { presentUser } from "@/lib/auth/present";
import type { listApiTokens } from "@/lib/auth/tokens";
import type { listGolden, setGolden } from "@/lib/dataset/golden";
import type { listFaces } from "@/lib/dataset/browse";
import type { bulkAction } from "@/lib/dataset/bulk";
import type { trainingPreflight } from "@/lib/dataset/preflight";
import type { getHealth } from "@/lib/health/health";
import type { getJob } from "@/lib/jobs/get-job";
import type { presentJob } from "@/lib/jobs/present";
import type { presentVersion } from "@/lib/registry/present";
import type { getVersionDetail, listVersions } from "@/lib/registry/read-versions";
import type { adjudicate, adjudicationItem } from "@/lib/review/adjudication";
import type { agreementSummary } from "@/lib/review/agreement";
import type { faceDetail } from "@/lib/review/face-detail";
import type { getQueueItem } from "@/lib/review/queue";
import type { presentReviewSettings } from "@/lib/review/settings";
import type { dashboardStats } from "@/lib/stats/dashboard-stats";
import type { listHistory, presentReview, undoVerdict } from "@/lib/review/verdicts";
import type { DuplicateUploadResult, UploadResult } from "@/lib/uploads/process-upload";
import type { getImport, listImports } from "@/lib/imports/read-imports";
import type { getVideo, listVideos, presentVideoRow } from "@/lib/videos/read-video";
import type { sendTrackToReview } from "@/lib/videos/review-track";
import type * as r from "./responses";

/** What `NextResponse.json` makes of a value. */
type Json<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/**
 * The paths where `Sent` does not fit `Documented` (never when it fits). Where the code's type is
 * a plain `string` and the document names the values (a lowercased database enum), the document
 * is trusted; the API tests check the values.
 */
type Mismatch<Sent, Documented, Path extends string = ""> = unknown extends Documented
  ? never
  : Sent extends readonly (infer U)[]
    ? NonNullable<Documented> extends readonly (infer V)[]
      ? Mismatch<U, V, `${Path}[]`>
      : `${Path}: an array, documented otherwise`
    : Sent extends object
      ? NonNullable<Documented> extends object
        ? | {
              [K in keyof Sent]-?: K extends keyof NonNullable<Documented>
                ? Mismatch<Sent[K], NonNullable<Documented>[K], `${Path}.${K & string}`>
                : `${Path}.${K & string}: sent, not documented`;
            }[keyof Sent]
          | {
              [K in keyof NonNullable<Documented>]-?: K extends keyof Sent
                ? never
                : undefined extends NonNullable<Documented>[K]
                  ? never
                  : `${Path}.${K & string}: documented as required, not sent`;
            }[keyof NonNullable<Documented>]
        : `${Path}: an object, documented otherwise`
      : Sent extends Documented
        ? never
        : [Sent, NonNullable<Documented>] extends [string, string]
          ? never
          : `${Path}: ${TypeName<Sent>} sent, documented otherwise`;

type TypeName<T> = T extends string
  ? "string"
  : T extends number
    ? "number"
    : T extends boolean
      ? "boolean"
      : T extends null
        ? "null"
        : T extends undefined
          ? "undefined"
          : "a value";

/** Fails to compile, naming the path, unless `T` is never. */
type Fits<T extends never> = T;
type Check<Sent, Schema extends z.ZodType> = Mismatch<Json<Sent>, z.output<Schema>>;
/** `lastUsedAt` → `last_used_at`, as GET /api/tokens renames the stored columns. */
type SnakeCase<S extends string> = S extends `${infer Head}${infer Rest}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Rest>}`
  : S;
type Snake<T> = { [K in keyof T as SnakeCase<K & string>]: T[K] };
type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/**
 * The JSON columns that only the worker writes (a job's parameters, progress, curves, training set
 * sizes and the gate's decision) are typed as any JSON by the database client; the schema says what they hold.
 */
type JobColumns = "params" | "progress" | "curves" | "decision" | "training_set";
type JobSent = Omit<ReturnType<typeof presentJob>, JobColumns>;
type JobDocumented = Omit<z.output<typeof r.TrainingJob>, JobColumns>;

export type Checks = [
  Fits<Check<Answer<typeof getHealth>, typeof r.Health>>,
  Fits<Check<UploadResult, typeof r.UploadResult>>,
  Fits<Check<DuplicateUploadResult, typeof r.UploadDuplicate>>,
  Fits<Check<Answer<typeof getImport>, typeof r.ImportState>>,
  Fits<Check<Answer<typeof listImports>, typeof r.ImportList>>,
  Fits<
    Check<Answer<typeof getQueueItem> & { queue: { remaining: number; verdicts_needed: number } }, typeof r.QueueItem>
  >,
  Fits<Check<{ review: ReturnType<typeof presentReview>; duplicate?: true }, typeof r.ReviewRecorded>>,
  Fits<Check<{ undone: true } & Answer<typeof undoVerdict>, typeof r.ReviewUndone>>,
  Fits<Check<Answer<typeof listHistory>, typeof r.HistoryPage>>,
  Fits<Check<Answer<typeof faceDetail>, typeof r.FaceDetail>>,
  Fits<Check<Answer<typeof listFaces>, typeof r.FacePage>>,
  Fits<Check<Answer<typeof bulkAction>, typeof r.FaceBulkResult>>,
  Fits<Check<Answer<typeof trainingPreflight>, typeof r.TrainingPreflight>>,
  Fits<Check<ReturnType<typeof presentReviewSettings>, typeof r.ReviewSettings>>,
  Fits<Check<Answer<typeof agreementSummary>, typeof r.Agreement>>,
  Fits<Check<Answer<typeof adjudicationItem> & { queue: { remaining: number } }, typeof r.AdjudicationItem>>,
  Fits<Check<{ adjudication: Answer<typeof adjudicate> }, typeof r.AdjudicationCreated>>,
  Fits<Check<Snake<Answer<typeof listApiTokens>[number]>, typeof r.ApiToken>>,
  Fits<Check<ReturnType<typeof presentUser>, typeof r.User>>,
  Fits<Mismatch<Json<JobSent>, JobDocumented>>,
  Fits<Mismatch<Json<Pick<Answer<typeof getJob>, "log">>, Pick<z.output<typeof r.TrainingJobDetail>["job"], "log">>>,
  Fits<Check<ReturnType<typeof presentVersion>, typeof r.ModelVersionBase>>,
  Fits<Check<Answer<typeof listVersions>[number], typeof r.ModelVersion>>,
  Fits<Check<Answer<typeof getVersionDetail>, typeof r.ModelVersionDetail>>,
  Fits<Check<Answer<typeof listGolden>, typeof r.GoldenSet>>,
  Fits<Check<Answer<typeof setGolden>, typeof r.GoldenChanged>>,
  Fits<Check<Answer<typeof dashboardStats>, typeof r.DashboardStats>>,
  Fits<Check<ReturnType<typeof presentVideoRow>, typeof r.VideoRow>>,
  Fits<Check<Answer<typeof listVideos>, typeof r.VideoList>>,
  Fits<Check<Answer<typeof getVideo>, typeof r.VideoDetail>>,
  Fits<Check<Answer<typeof sendTrackToReview>, typeof r.TrackReviewResult>>,
];
