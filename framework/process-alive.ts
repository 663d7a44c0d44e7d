import { existsSync, readFileSync } from "node:fs";

/**
 * Whether a process of this host is alive: signal 0 checks a pid without touching it (ESRCH is
 * gone, EPERM is alive but another user's), and a zombie (Linux /proc) counts as gone. Used by
 * the locks and by readers that judge a run abandoned.
 *
 * @example
 * isProcessAlive(process.pid); // true
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return !existsSync("/proc/self"); // gone since the signal, or no /proc (macOS), where signal 0 is all there is
  }
}
