import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

// A command run under a pseudo-terminal is a grandchild of the test (tmux → sh → script → node,
// or script → node): killing the top process leaves the command to notice the terminal is gone,
// and it may go on writing into a directory the test is about to remove. These helpers find the
// whole tree by parent id (/proc) and end exactly those processes.

// "<pid> (<comm>) <state> <ppid> …"; comm may hold spaces and parentheses, so parse after the last ")".
function stat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** `pid` and every process descended from it, parents first. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

const alive = (pid: number) => {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
};

/** Sends SIGKILL to each of `pids` still alive, then waits (at most `timeoutMs`) until none runs. */
export async function killPids(pids: number[], timeoutMs = 3_000): Promise<void> {
  for (const pid of pids) {
    try {
      if (alive(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes still running after SIGKILL: ${pids.filter(alive).join(", ")}`);
    await sleep(10);
  }
}
