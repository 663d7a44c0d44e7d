import { readdirSync, readFileSync } from "node:fs";

/**
 * The pids of the live processes whose command line holds `marker` (Linux /proc): zombies, this
 * test process, and those `except` says to leave out (e.g. the tmux server) are not counted.
 *
 * @example
 * for (let i = 0; i < 100 && processesWith(dir).length > 0; i++) await sleep(50);
 * expect(processesWith(dir)).toEqual([]);
 */
export function processesWith(marker: string, except: (argv: string) => boolean = () => false): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (cmdline.includes(marker) && !except(cmdline)) pids.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}
