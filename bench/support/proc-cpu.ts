import fs from "node:fs";

/**
 * CPU time by who spent it, from Linux's /proc: the bench itself, the app's processes (the
 * launcher and everything under it), the PostgreSQL backends serving one database, the rest of
 * PostgreSQL (its background processes, other databases), and everything else on the machine.
 * Elsewhere than Linux every figure is null.
 */
export interface CpuSnapshot {
  at: number;
  /** Machine-wide busy and total time, seconds (all cores). */
  busy: number;
  total: number;
  byPid: Map<number, { group: CpuGroup; seconds: number }>;
}

export type CpuGroup = "bench" | "app" | "postgres (this database)" | "postgres (rest)" | "other";
export const CPU_GROUPS: CpuGroup[] = ["bench", "app", "postgres (this database)", "postgres (rest)", "other"];

export interface CpuShare {
  seconds: number;
  /** Wall time of the interval, seconds. */
  wall: number;
  /** Busy share of all cores over the interval. */
  machineBusy: number;
  /** Seconds of CPU per group (all cores; 2 cores give up to 2 s per second). */
  groups: Record<CpuGroup, number>;
}

const HZ = 100;

export function cpuAvailable(): boolean {
  return fs.existsSync("/proc/stat");
}

export function cpuSnapshot(o: { appPid: number | undefined; database: string }): CpuSnapshot | null {
  if (!cpuAvailable()) return null;
  const stat = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = stat;
  const busy = (user + nice + system + irq + softirq + steal) / HZ;
  const total = busy + (idle + iowait) / HZ;
  const parents = new Map<number, number>();
  const info = new Map<number, { comm: string; seconds: number }>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid … utime stime: comm may hold spaces and parentheses.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const f = text.slice(close + 2).split(" ");
    parents.set(pid, Number(f[1]));
    info.set(pid, { comm, seconds: (Number(f[11]) + Number(f[12])) / HZ });
  }
  const underApp = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parents.get(p) ?? 0, hops++) if (p === o.appPid) return true;
    return false;
  };
  const byPid = new Map<number, { group: CpuGroup; seconds: number }>();
  for (const [pid, { comm, seconds }] of info) {
    let group: CpuGroup = "other";
    if (pid === process.pid) group = "bench";
    else if (o.appPid && underApp(pid)) group = comm === "postgres" ? postgresGroup(pid, o.database) : "app";
    else if (comm === "postgres") group = postgresGroup(pid, o.database);
    byPid.set(pid, { group, seconds });
  }
  return { at: performance.now(), busy, total, byPid };
}

function postgresGroup(pid: number, database: string): CpuGroup {
  try {
    // A backend's title: "postgres: <user> <database> <client> <state>".
    const title = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    return title.split(/\s+/).includes(database) ? "postgres (this database)" : "postgres (rest)";
  } catch {
    return "postgres (rest)";
  }
}

/** CPU spent between two snapshots, per group; "other" is the machine's busy time nobody else accounts for. */
export function cpuBetween(a: CpuSnapshot | null, b: CpuSnapshot | null): CpuShare | null {
  if (!a || !b) return null;
  const groups = Object.fromEntries(CPU_GROUPS.map((g) => [g, 0])) as Record<CpuGroup, number>;
  for (const [pid, now] of b.byPid) {
    if (now.group === "other") continue;
    const before = a.byPid.get(pid);
    groups[now.group] += Math.max(0, now.seconds - (before?.seconds ?? 0));
  }
  const busy = b.busy - a.busy;
  const known = groups.bench + groups.app + groups["postgres (this database)"] + groups["postgres (rest)"];
  groups.other = Math.max(0, busy - known);
  return {
    seconds: busy,
    wall: (b.at - a.at) / 1000,
    machineBusy: busy / Math.max(b.total - a.total, 1e-9),
    groups,
  };
}
