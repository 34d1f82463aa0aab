// The layers, top to bottom; imports point down only:
//   app/ (pages, route handlers) → worker/ (the worker process) → training/ (runs without Next.js) → lib/ (the domain)
// scripts/ (CLIs, the launcher) may import worker/, training/ and lib/; test/ and bench/ may import anything,
// and nothing else imports them (a *.test.ts beside the code is test code and may use test/support/).
// `npm run lint:deps` checks it.

/**
 * What each concept folder of lib/ may import from the other lib/ folders. Anything not listed is
 * forbidden, so a folder-level loop (auth → api → auth) cannot come back unnoticed; the table itself
 * is checked to be free of loops below. A new lib/ folder must be added here (lib-unlisted-folder).
 */
const LIB_FOLDERS = {
  env: [],
  errors: [],
  ids: [],
  agreement: [],
  // Intervals and tests for figures on few faces (pure functions).
  stats: [],
  http: [],
  tf: ["env"],
  db: ["env"],
  storage: ["env", "errors"],
  images: ["errors"],
  audit: ["db"],
  model: ["env", "tf"],
  faces: ["env", "errors", "http", "images", "model", "tf"],
  auth: ["audit", "db", "env", "errors", "ids"],
  registry: ["audit", "db", "env", "errors", "http", "model"],
  dataset: ["agreement", "audit", "db", "errors", "ids"],
  jobs: ["audit", "db", "env", "errors", "ids"],
  uploads: ["db", "env", "errors", "faces", "images", "model", "registry", "storage"],
  videos: ["api", "audit", "db", "env", "errors", "faces", "images", "jobs", "model", "registry", "uploads"],
  review: ["agreement", "audit", "dataset", "db", "env", "errors", "ids", "model", "storage", "uploads"],
  "feedback-io": ["audit", "dataset", "db", "env", "errors", "faces", "images", "model", "registry", "storage"],
  health: ["db", "env", "faces", "registry", "tf"],
  // Bulk imports: photos through the upload pipeline, the previous tool's layout through feedback-io.
  imports: ["audit", "db", "env", "errors", "feedback-io", "images", "jobs", "storage", "uploads"],
  // The dashboard's figures: aggregates over the queue, verdicts, labels and versions.
  stats: ["dataset", "db", "model", "review"],
  // The route wrapper and request helpers: above lib/auth, which it calls to know who is asking.
  api: ["auth", "db", "env", "errors", "http", "ids", "storage"],
};

/** The lib/ folders that training/ may use: the model, the tfjs backend and the validated env. */
const TRAINING_MAY_USE = ["model", "tf", "env"];

// The table must allow no loop itself, or it would permit a folder-level cycle.
(function assertNoLoops() {
  const state = {};
  const visit = (folder, trail) => {
    if (state[folder] === "done") return;
    if (state[folder] === "open")
      throw new Error(`.dependency-cruiser.cjs: lib folder loop ${[...trail, folder].join(" → ")}`);
    if (!(folder in LIB_FOLDERS))
      throw new Error(`.dependency-cruiser.cjs: ${trail.at(-1)} lists unknown lib folder ${folder}`);
    state[folder] = "open";
    for (const next of LIB_FOLDERS[folder]) visit(next, [...trail, folder]);
    state[folder] = "done";
  };
  for (const folder of Object.keys(LIB_FOLDERS)) visit(folder, []);
})();

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const anyOf = (names) => `(${names.map(escape).join("|")})`;
const TEST_FILE = "\\.test\\.tsx?$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A file cycle (type-only imports included) makes load order matter and hides which module owns what; move the shared part to a file both import.",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import the checker cannot resolve (a mistyped path or alias) would escape every other rule.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "lib-unlisted-folder",
      severity: "error",
      comment:
        "Every lib/ concept folder has a row in LIB_FOLDERS (.dependency-cruiser.cjs) saying which lib/ folders it may import.",
      from: { path: `^lib/(?!${anyOf(Object.keys(LIB_FOLDERS))}/)` },
      to: { path: "^lib/" },
    },
    ...Object.entries(LIB_FOLDERS).map(([folder, allowed]) => ({
      name: `lib-${folder}-order`,
      severity: "error",
      comment:
        `lib/${folder}/ may import only ${allowed.length ? allowed.map((f) => `lib/${f}/`).join(", ") : "no other lib/ folder"}: ` +
        "the lib/ folders form one direction (LIB_FOLDERS), so no folder-level loop can form. A thing needed from a folder above lives in the wrong folder.",
      from: { path: `^lib/${escape(folder)}/` },
      to: { path: "^lib/", pathNot: `^lib/${anyOf([folder, ...allowed])}/` },
    })),
    {
      name: "lib-is-the-bottom",
      severity: "error",
      comment: "lib/ is the domain, the lowest layer: it imports nothing from training/, worker/, app/ or scripts/.",
      from: { path: "^lib/" },
      to: { path: "^(training|worker|app|scripts)/" },
    },
    {
      name: "training-below-worker",
      severity: "error",
      comment:
        "training/ runs without Next.js and without the worker: it imports nothing from worker/, app/ or scripts/.",
      from: { path: "^training/" },
      to: { path: "^(worker|app|scripts)/" },
    },
    {
      name: "training-uses-model-tf-env",
      severity: "error",
      comment: `training/ depends only on ${TRAINING_MAY_USE.map((f) => `lib/${f}/`).join(", ")} of lib/: no database, registry or auth, so it runs as a plain CLI.`,
      from: { path: "^training/" },
      to: { path: "^lib/", pathNot: `^lib/${anyOf(TRAINING_MAY_USE)}/` },
    },
    {
      name: "worker-below-app",
      severity: "error",
      comment:
        "worker/ is the worker process: it imports nothing from app/ (pages, routes) or scripts/ (the CLIs that start it).",
      from: { path: "^worker/" },
      to: { path: "^(app|scripts)/" },
    },
    {
      name: "app-not-to-scripts",
      severity: "error",
      comment:
        "app/ is served by Next.js; scripts/ are command lines and the launcher, which start the app, not the other way round.",
      from: { path: "^app/" },
      to: { path: "^scripts/" },
    },
    {
      name: "scripts-not-to-app",
      severity: "error",
      comment: "scripts/ start the app as a process; they do not import its pages or routes.",
      from: { path: "^scripts/" },
      to: { path: "^app/" },
    },
    {
      name: "production-not-to-test",
      severity: "error",
      comment:
        "Code that ships (app/, worker/, training/, lib/, scripts/) never imports test/ or bench/; only the *.test.ts beside it may use test/support/.",
      from: { path: "^(app|worker|training|lib|scripts)/", pathNot: TEST_FILE },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "nothing-to-bench",
      severity: "error",
      comment:
        "bench/ measures the app; nothing outside bench/ and test/ depends on it, tests beside the code included.",
      from: { path: "^(app|worker|training|lib|scripts)/" },
      to: { path: "^bench/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // The generated Prisma client: lib/db's own output, not part of the layering.
    exclude: { path: "^lib/db/generated/" },
    // Type-only imports count: a type cycle is still a cycle between the files.
    tsPreCompilationDeps: true,
    // Resolves the @/* alias.
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
