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
