import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";

/**
 * The one place that reads `process.env`. Everything else asks `getEnv()`.
 * Parsed once per process (tests may call `resetEnvForTests()` after changing variables).
 */
const schema = z.object({
  /** Unset unless the caller sets it: `npm start` and `npm run dev` run the launcher without it. */
  NODE_ENV: z.enum(["development", "production", "test"]).optional(),
  /** Set by npm to the script being run (`dev`, `start`, …); how the launcher knows it runs as `npm run dev`. */
  npm_lifecycle_event: z.string().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL")
    .optional(),
  ADMIN_EMAIL: z.string().email("ADMIN_EMAIL must be an e-mail address").optional(),
  ADMIN_PASSWORD: z.string().min(8, "ADMIN_PASSWORD must be at least 8 characters").optional(),
  FEEDBACK_IMAGES_DIR: z.string().default("./feedback_images"),
  MODELS_DIR: z.string().default("./models"),
  /**
   * The model shipped with the app, registered on a fresh install. Unset: `<MODELS_DIR>/baseline`
   * when it holds a model, otherwise the project's own `models/baseline`, whatever MODELS_DIR is.
   */
  BASELINE_DIR: z.string().optional(),
  /** Git-ignored folder for local state: the embedded database, the generated auth secret. */
  DATA_DIR: z.string().default("./.data"),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /**
   * How many reverse proxies stand in front of the app ("true" = 1). Each appends the address it
   * saw to X-Forwarded-For, so the client is that many entries from the right; entries further
   * left were written by the client and prove nothing. Unset/false: the header is ignored and
   * sign-in throttling keys on the account plus one shared bucket for every client.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, "TRUST_PROXY must be true, false or a number of proxies")
    .default("false")
    .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v))),
  /** Forces a TensorFlow.js backend; a forced backend that is missing is an error. */
  TFJS_BACKEND: z.enum(["gpu", "node", "wasm", "cpu"]).optional(),
  /**
   * Folder of the optional native training accelerator (`npm run native:install`): a prebuilt
   * tfjs-node 2.7.0 with TensorFlow 1.15 for Linux x64, used by training processes when the
   * regular @tensorflow/tfjs-node is not installed.
   */
  TFJS_NATIVE_DIR: z.string().default("./.native/tfjs-node"),
  /**
   * The face detector for uploads, video frames and the live view: "tiny" (default, ~2.7× faster, misses
   * faces in full profile) or "ssd" (SSD MobileNet v1). See lib/faces/detector-settings.
   */
  FACE_DETECTOR: z.enum(["tiny", "ssd"]).default("tiny"),
  /**
   * Face detection and the emotion model on a worker thread of their own (default), so requests'
   * database and file work never wait behind a running model; "false" runs them on the request thread.
   */
  INFERENCE_THREAD: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  /** Threads for the WASM backend's XNNPACK pool (default: idle cores at start-up, 1-4); 1 = no workers. */
  TFJS_WASM_THREADS: z.coerce.number().int().min(1).max(8).optional(),
  /**
   * Tests only: a server URL whose role may CREATE DATABASE; each test file gets a fresh database.
   * Unset, tests run on an embedded database.
   */
  TEST_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "TEST_DATABASE_URL must be a postgres:// URL")
    .optional(),
  /** Public base URL for next-auth; the launcher defaults it to http://localhost:PORT. */
  NEXTAUTH_URL: z.string().url("NEXTAUTH_URL must be a URL").optional(),
  /** Promote a candidate that passes the gate without asking an admin. */
  PROMOTION_AUTO: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  /** Largest accuracy drop on the golden set a promoted candidate may show (0.01 = 1 point). */
  PROMOTION_GOLDEN_TOLERANCE: z.coerce.number().min(0).max(1).default(0.01),
  /** A running job whose worker has been silent this long is ended as FAILED. */
  JOB_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(2).max(3600).default(45),
  /** Replay size per class (× classes in all, spread as in the data) from the base model's own training data, where it is on disk. */
  REPLAY_PER_CLASS: z.coerce.number().int().min(0).max(10000).default(150),
  /** `npm start` also starts a training worker unless this is "false". */
  START_WORKER: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  /** The ffmpeg binary for video files; unset: `ffmpeg` on PATH, else the one inside @ffmpeg-installer/ffmpeg. */
  FFMPEG_PATH: z.string().optional(),
  /** Largest video file accepted, in MB. */
  VIDEO_MAX_MB: z.coerce.number().positive().max(10_000).default(200),
  /** Longest video accepted, in seconds. */
  VIDEO_MAX_SECONDS: z.coerce.number().positive().max(86_400).default(600),
  /** Tests only: the Chromium binary for browser tests (default /usr/bin/chromium). */
  CHROMIUM_PATH: z.string().optional(),
  /** Set by CI runners; tests that would skip locally must run there. */
  CI: z.string().optional(),
  /** Port of the embedded PostgreSQL on 127.0.0.1 (0 = pick a free one at each start). */
  EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

export type Env = z.infer<typeof schema> & {
  /** Absolute paths resolved against the working directory. */
  feedbackImagesDir: string;
  modelsDir: string;
  dataDir: string;
  nativeDir: string;
};

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const raw = Object.fromEntries(Object.entries(process.env).map(([k, v]) => [k, v === "" ? undefined : v]));
  // next-auth's own variable name is accepted as an alias.
  raw.AUTH_SECRET ??= raw.NEXTAUTH_SECRET;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  cached = {
    ...e,
    feedbackImagesDir: path.resolve(e.FEEDBACK_IMAGES_DIR),
    modelsDir: path.resolve(e.MODELS_DIR),
    dataDir: path.resolve(e.DATA_DIR),
    nativeDir: path.resolve(e.TFJS_NATIVE_DIR),
  };
  return cached;
}

export function resetEnvForTests(): void {
  cached = undefined;
}

/**
 * The auth secret: `AUTH_SECRET` when set. Every web server of one installation must share it, or
 * a session signed by one is refused by another, so it is required whenever the database is
 * named by DATABASE_URL. A secret is generated once into the data folder only for the embedded
 * database (a single local install) and for `npm run dev`.
 */
export function getAuthSecret(opts: { dev?: boolean } = {}): string {
  const env = getEnv();
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  const dev = opts.dev ?? (env.NODE_ENV === "development" || env.npm_lifecycle_event === "dev");
  if (env.DATABASE_URL && !dev) {
    throw new Error(
      [
        "AUTH_SECRET is required when DATABASE_URL is set: every web server on that database must sign",
        "sessions with the same secret. Make one with `openssl rand -hex 32` and set it, e.g.",
        "  AUTH_SECRET=<64 hex characters> npm start",
      ].join("\n"),
    );
  }
  const file = path.join(env.dataDir, "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(env.dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString("base64url");
    fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  }
}

/** Environment for a child process the launcher starts (the Next.js server, a worker). */
export function childProcessEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
