import { startCli, type CliProcess } from "./cli-process.ts";
import { killPids, processTree } from "./pty-process-tree.ts";
import { shellQuote } from "./pty-tmux.ts";

export interface ScriptProcess extends CliProcess {
  /** Kills `script` and the command under it (SIGKILL), and waits until they are gone. */
  kill(): Promise<void>;
}

/**
 * Starts `command` (argv) under a pseudo-terminal made by util-linux `script -qfec <cmd> /dev/null`:
 * the command's stdout and stderr are the terminal, and everything it writes there (escape codes
 * included, lines ending in \r\n) comes out on the returned process's stdout. Its stdin is
 * /dev/null, so nothing can be typed; use startTmux for that. The exit code is the command's.
 */
export function startUnderScript(command: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): ScriptProcess {
  const proc = startCli([], {
    cwd: options.cwd,
    command: ["script", "-qfec", command.map(shellQuote).join(" "), "/dev/null"],
    ...(options.env && { env: options.env }),
    timeoutMs: options.timeoutMs ?? 20_000,
  });
  return {
    ...proc,
    async kill() {
      // Until its exit is seen, the child's pid is still ours (not reaped), so the tree is the command's.
      if (proc.child.exitCode !== null || proc.child.signalCode !== null || proc.child.pid === undefined) return;
      await killPids(processTree(proc.child.pid));
      await proc.exited.catch(() => undefined);
    },
  };
}
