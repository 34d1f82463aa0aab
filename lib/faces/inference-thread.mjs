// The inference thread's entry (see lib/faces/inference.ts): plain JavaScript, so that a worker
// thread of any Node process (the Next.js server has no TypeScript loader) can start it; it loads
// the TypeScript worker through tsx, which the app depends on anyway (`npm start` runs on it).
import { tsImport } from "tsx/esm/api";

await tsImport("./inference-worker.ts", import.meta.url);
