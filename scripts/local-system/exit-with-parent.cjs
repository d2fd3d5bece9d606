/**
 * Preloaded (`node --require`) into child processes whose code is not ours (Azurite), so they end when the process
 * that started them does, however it ends: SIGKILL runs no handler, but the kernel closes the parent's end of the
 * child's stdin pipe, and the child reads end-of-file. Its parent pid changing (adoption by init) is checked too.
 * The child is asked to stop as on Ctrl-C (SIGTERM: Azurite closes its servers and flushes a durable workspace), and
 * leaves for sure a few seconds later.
 */
"use strict";
/* global process, setTimeout, setInterval */

const parent = process.ppid;
let leaving = false;

function leave() {
  if (leaving) return;
  leaving = true;
  setTimeout(() => process.exit(0), 5000).unref();
  process.kill(process.pid, "SIGTERM");
}

process.stdin.on("end", leave);
process.stdin.on("close", leave);
process.stdin.on("error", leave);
process.stdin.resume();
setInterval(() => {
  if (process.ppid !== parent) leave();
}, 500).unref();
