import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * Starts a Node.js process for the launcher: with the IPC channel whose end tells it the launcher is
 * gone (see exit-with-launcher.cjs), in a process group of its own so that Ctrl-C in a terminal
 * reaches the launcher only and the launcher stops everything in order (the database last).
 */
export function spawnNodeChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ["--require", path.resolve("scripts/launcher/exit-with-launcher.cjs"), ...args], {
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    detached: true,
  });
}

/** Node arguments that run one of the app's TypeScript entry scripts, as `npm run` does. */
export function typeScriptEntry(script: string, ...args: string[]): string[] {
  return ["--import", "tsx", "--conditions=react-server", script, ...args];
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Sends SIGTERM and waits up to `graceMs`; then SIGKILL. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  const done = exited(child);
  child.kill("SIGTERM");
  const inTime = await Promise.race([
    done.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), graceMs).unref()),
  ]);
  if (!inTime) {
    child.kill("SIGKILL");
    await done;
  }
}

/** "exited with code 1" / "was killed by SIGKILL". */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}
