/**
 * Where a read-only command (`conclave status`, `conclave runs`) writes, and the environment it
 * reads (`NO_COLOR`). The CLI's own `CliIo` fits it.
 *
 * @example
 * await statusCommand(["latest"], { stdout: process.stdout, env: process.env });
 */
export interface CommandIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * Whether a command may colour its output: stdout is a terminal and `NO_COLOR` is unset.
 *
 * @example
 * const color = useColor({ stdout: process.stdout, env: process.env });
 */
export function useColor(io: CommandIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
}
