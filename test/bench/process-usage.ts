import { readdirSync, readFileSync } from "node:fs";
import { round1 } from "./harness.js";
/** CPU time and page faults of this process, to show in a bench where a machine's time goes. */
export interface ProcessUsage {
  /** Microseconds. */
  user: number;
  /** Microseconds in the kernel (socket copies, page faults on fresh memory). */
  system: number;
  /** Minor page faults: first touches of memory the process had not used yet. */
  pageFaults: number;
}

const zero = { userCPUTime: 0, systemCPUTime: 0, minorPageFault: 0 };

export function usageSince(before: Pick<NodeJS.ResourceUsage, "userCPUTime" | "systemCPUTime" | "minorPageFault"> = zero): ProcessUsage {
  const now = process.resourceUsage();
  return { user: now.userCPUTime - before.userCPUTime, system: now.systemCPUTime - before.systemCPUTime, pageFaults: now.minorPageFault - before.minorPageFault };
}

export function addUsage(a: ProcessUsage, b: ProcessUsage): ProcessUsage {
  return { user: a.user + b.user, system: a.system + b.system, pageFaults: a.pageFaults + b.pageFaults };
}

export function subtractUsage(a: ProcessUsage, b: ProcessUsage): ProcessUsage {
  return { user: a.user - b.user, system: a.system - b.system, pageFaults: a.pageFaults - b.pageFaults };
}

export const noUsage: ProcessUsage = { user: 0, system: 0, pageFaults: 0 };

/**
 * CPU time (ms, user + system) of this process and of each process it started, by what runs in it, read from
 * /proc (Linux only: elsewhere the map is empty). Two readings subtracted give where a bench's time went.
 */
export function processTreeCpu(): Map<string, number> {
  const out = new Map<string, number>();
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on every Linux the bench runs on
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  const stats = new Map<number, { ppid: number; ms: number; command: string }>();
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
      stats.set(Number(pid), { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) / ticksPerMs, command });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => pid === process.pid || (pid > 1 && stats.has(pid) && inTree(stats.get(pid)!.ppid));
  for (const [pid, s] of stats) {
    if (!inTree(pid)) continue;
    const role = pid === process.pid ? "bench process (emulator, Functions host, load)" : roleOf(s.command);
    out.set(role, (out.get(role) ?? 0) + s.ms);
  }
  return out;
}

function roleOf(command: string): string {
  if (command.includes("azurite")) return "Azurite";
  if (command.includes("worker-main")) return "Functions worker";
  return command.split(" ").slice(0, 3).join(" ").slice(0, 60);
}

export function cpuSince(before: Map<string, number>, after = processTreeCpu()): Map<string, number> {
  return new Map([...after].map(([role, ms]) => [role, ms - (before.get(role) ?? 0)]));
}

/** One bench row: CPU of all the processes per unit of work, with each process' share in its name. */
export function cpuPerUnitRow(suite: string, label: string, cpu: Map<string, number>, units: number, seconds: number): { suite: string; name: string; value: number; unit: string } {
  const total = [...cpu.values()].reduce((a, b) => a + b, 0);
  const parts = [...cpu].filter(([, ms]) => ms >= 0.05 * total).map(([role, ms]) => `${role} ${round1(ms / units)}`);
  return { suite, name: `${label} (${round1(total / seconds / 10)}% of one core; ms each: ${parts.join(", ")})`, value: round1(total / units), unit: "ms" };
}
