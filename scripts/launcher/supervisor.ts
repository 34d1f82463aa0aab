import type { ChildProcess } from "node:child_process";
import { describeExit, spawnNodeChild, terminate } from "@/scripts/launcher/spawn-child";
import { decideAfterExit, DEFAULT_RESTART_POLICY, type RestartPolicy } from "@/scripts/launcher/restart-policy";

export interface ChildSpec {
  /** Named in log lines: "web server", "worker". */
  name: string;
  /** Node.js arguments (script and its arguments). */
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Keeps the launcher's long-running processes up: a process that exits while the launcher is not
 * stopping is started again after the policy's wait, and one that keeps exiting soon after it
 * starts makes the launcher give up (`onGiveUp`), because restarting it again would not help.
 */
export function createSupervisor(opts: {
  log: (line: string) => void;
  onGiveUp: (name: string) => void;
  policy?: RestartPolicy;
}) {
  const policy = opts.policy ?? DEFAULT_RESTART_POLICY;
  const running = new Set<ChildProcess>();
  const pendingRestarts = new Set<NodeJS.Timeout>();
  let stopping = false;

  const start = (spec: ChildSpec, shortRunsBefore = 0) => {
    const startedAt = Date.now();
    const child = spawnNodeChild(spec.args, spec.env);
    running.add(child);
    opts.log(`[launcher] ${spec.name} started (pid ${child.pid})`);
    child.on("error", (err) => opts.log(`[launcher] ${spec.name}: ${err.message}`));
    child.on("exit", (code, signal) => {
      running.delete(child);
      if (stopping) return;
      const how = `[launcher] ${spec.name} (pid ${child.pid}) ${describeExit(code, signal)}`;
      const decision = decideAfterExit(policy, shortRunsBefore, Date.now() - startedAt);
      if (!decision.restart) {
        opts.log(
          `${how}: ${decision.shortRunsInARow} exits in a row, each within ${policy.stableAfterMs / 1000} s of its start; giving up`,
        );
        opts.onGiveUp(spec.name);
        return;
      }
      opts.log(`${how} at ${new Date().toISOString()}; restarting it in ${decision.delayMs / 1000} s`);
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (!stopping) start(spec, decision.shortRunsInARow);
      }, decision.delayMs);
      pendingRestarts.add(timer);
    });
  };

  return {
    start: (spec: ChildSpec) => start(spec),
    /** Stops restarting, then SIGTERM to every process, SIGKILL to those still there after `graceMs`. */
    async stopAll(graceMs: number): Promise<void> {
      stopping = true;
      pendingRestarts.forEach(clearTimeout);
      pendingRestarts.clear();
      await Promise.all([...running].map((c) => terminate(c, graceMs)));
    },
  };
}
