import type { ChildProcess } from "node:child_process";
import { describeExit, spawnNodeChild, terminate } from "@/scripts/launcher/spawn-child";
import { decideAfterCrash, DEFAULT_RESTART_POLICY, type RestartPolicy } from "@/scripts/launcher/restart-policy";

export interface ChildSpec {
  /** Named in log lines: "web server", "worker". */
  name: string;
  /** Node.js arguments (script and its arguments). */
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Keeps the launcher's long-running processes up: a process that exits while the launcher is not
 * stopping is started again after the policy's wait, and one that crashes too often in a row makes
 * the launcher give up (`onGiveUp`), because restarting it again would not help.
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

  const start = (spec: ChildSpec, crashes: number[] = []) => {
    const child = spawnNodeChild(spec.args, spec.env);
    running.add(child);
    opts.log(`[launcher] ${spec.name} started (pid ${child.pid})`);
    child.on("error", (err) => opts.log(`[launcher] ${spec.name}: ${err.message}`));
    child.on("exit", (code, signal) => {
      running.delete(child);
      if (stopping) return;
      const how = `[launcher] ${spec.name} (pid ${child.pid}) ${describeExit(code, signal)}`;
      const { decision, crashes: recent } = decideAfterCrash(policy, crashes, Date.now());
      if (!decision.restart) {
        opts.log(`${how}: ${decision.crashesInWindow} exits within ${policy.windowMs / 1000} s, giving up`);
        opts.onGiveUp(spec.name);
        return;
      }
      opts.log(`${how} at ${new Date().toISOString()}; restarting it in ${decision.delayMs / 1000} s`);
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (!stopping) start(spec, recent);
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
