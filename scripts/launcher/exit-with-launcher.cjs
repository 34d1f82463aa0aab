"use strict";
/**
 * Preloaded (`node --require`) into every process the launcher starts. Node cannot ask the kernel
 * to signal a child when its parent dies (no PR_SET_PDEATHSIG), but the kernel does close a dead
 * process's end of a pipe: the launcher gives each child an IPC channel, and when that channel
 * disconnects the launcher is gone — kill -9 included — so the process stops as if told to.
 *
 * SIGTERM to itself runs the process's own shutdown (Next.js closes its server, the worker ends its
 * job, the database guardian stops PostgreSQL); a process without a handler simply ends. The grace
 * timer ends it anyway if that shutdown hangs, e.g. on a database that is stopping at the same time.
 *
 * Processes these fork inherit the preload through execArgv; they stop with the parent that forked
 * them, which is what a fork wants too. Worker threads inherit it as well and must not act on it.
 */
const { isMainThread } = require("node:worker_threads");

const GRACE_MS = 8000;

// The channel stays referenced: each process the launcher starts runs until told to stop anyway, and
// `next dev` ends at once when its channel is unreferenced.
if (isMainThread && typeof process.send === "function") {
  process.once("disconnect", () => {
    setTimeout(() => process.exit(1), GRACE_MS).unref();
    process.kill(process.pid, "SIGTERM");
  });
}
