/**
 * Lets `npm start` notice that the command that started it is gone, however it went: SIGKILL runs no handler, and
 * an orphan is silently adopted by init, so nothing tells it. It polls its parent (the process that ran it: tsx)
 * and, on Linux, every ancestor in its own process group (npm and the shell npm ran the script with: the processes
 * a terminal or a supervisor started as one command), and calls back once one of them has exited.
 */
import { readFileSync } from "node:fs";

interface ProcessStat {
  ppid: number;
  pgrp: number;
  state: string;
  startTime: string;
}

/** Fields of /proc/<pid>/stat (see proc(5)); undefined where there is no /proc or no such process. */
function statOf(pid: number | "self"): ProcessStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after its closing one.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0], ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: fields[19] };
  } catch {
    return undefined;
  }
}

/** The ancestors that belong to this command: the parent, then up through this process group. */
function commandAncestors(): Map<number, string | undefined> {
  const watched = new Map<number, string | undefined>([[process.ppid, statOf(process.ppid)?.startTime]]);
  const own = statOf("self")?.pgrp;
  if (own === undefined) return watched;
  let pid = process.ppid;
  for (let stat = statOf(pid); stat && stat.pgrp === own && pid !== own && stat.ppid > 1; stat = statOf(pid)) {
    pid = stat.ppid;
    const parent = statOf(pid);
    if (!parent || parent.pgrp !== own) break;
    watched.set(pid, parent.startTime);
  }
  return watched;
}

function gone(pid: number, startTime: string | undefined): boolean {
  if (startTime === undefined) {
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
  const stat = statOf(pid);
  // Exited (a zombie not yet reaped counts), or the pid now names another process.
  return !stat || stat.state === "Z" || stat.startTime !== startTime;
}

/** Calls `onGone` once, when the parent or an ancestor of this command exits; returns a function that stops it. */
export function watchCommandAncestors(onGone: (pid: number) => void, intervalMs = 250): () => void {
  const parent = process.ppid;
  const watched = commandAncestors();
  const timer = setInterval(() => {
    let exited: number | undefined = process.ppid !== parent ? parent : undefined;
    for (const [pid, startTime] of watched) if (exited === undefined && gone(pid, startTime)) exited = pid;
    if (exited === undefined) return;
    clearInterval(timer);
    onGone(exited);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
