import { z } from "zod";
import { checkCommand, commandEnv } from "../command-policy.ts";
import type { OutputCollector } from "../collect-output.ts";
import { runProcess } from "../run-process.ts";
import { defineTool, type ToolResult } from "./define-tool.ts";

/**
 * `run_command {command, args}`: runs an allowed program in the workspace, without a shell,
 * with the secrets removed from its environment, a time cap (the process tree is killed) and
 * an output cap (head and tail kept). `ok` is true when it exited with code 0.
 * Words after the first in `command` are taken as leading arguments, split on whitespace.
 *
 * @example
 * await runCommandTool.run({ command: "node", args: ["--version"] }, settings);
 * // { ok: true, content: "exit code: 0\nstdout:\nv20.20.2\n" }
 */
export const runCommandTool = defineTool({
  name: "run_command",
  description:
    "Run a program in your workspace, without a shell (no pipes, redirection, globs or variables): the program name in `command`, each argument as one item of `args`.",
  args: z.strictObject({
    command: z.string().trim().min(1, "must name a program").describe('The program, e.g. "npm".'),
    args: z.array(z.string()).default([]).describe('Its arguments, e.g. ["test", "--", "--run"].'),
  }),
  async run(call, settings, signal): Promise<ToolResult> {
    const [program = "", ...leading] = call.command.split(/\s+/);
    const args = [...leading, ...call.args];
    const refused = checkCommand(settings.commands, program);
    if (refused) return { ok: false, content: refused };
    let result;
    try {
      result = await runProcess(program, args, {
        cwd: settings.root,
        env: commandEnv(settings.env),
        timeoutMs: settings.commandTimeoutMs,
        maxOutputBytes: settings.maxOutputBytes,
        signal,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { ok: false, content: `Command "${program}" was not found.` };
      if (code === "EACCES") return { ok: false, content: `Command "${program}" is not executable.` };
      throw error;
    }
    const { stdout, stderr } = result;
    const status = result.timedOut
      ? `Command timed out after ${settings.commandTimeoutMs} ms; its process tree was killed.`
      : result.cancelled
        ? "Command was cancelled; its process tree was killed."
        : result.exitCode !== null
          ? `exit code: ${result.exitCode}`
          : `killed by signal ${result.exitSignal}`;
    const [outBudget, errBudget] = budgets(stdout.total, stderr.total, settings.maxOutputBytes);
    const content = [status, section("stdout", stdout, outBudget), section("stderr", stderr, errBudget)].join("");
    return { ok: result.exitCode === 0 && !result.timedOut && !result.cancelled, content };
  },
});

// Splits the output cap between stdout and stderr: a stream that needs less leaves the rest to the other.
function budgets(out: number, err: number, cap: number): [number, number] {
  const half = Math.floor(cap / 2);
  if (out + err <= cap) return [out, err];
  if (err <= half) return [cap - err, err];
  if (out <= half) return [out, cap - out];
  return [half, cap - half];
}

function section(name: string, output: OutputCollector, budget: number): string {
  if (output.total === 0) return "";
  const text = output.render(budget);
  const note = output.truncated(budget)
    ? `[${name} truncated: ${output.total} bytes in all, the first and last ${Math.floor(Math.min(budget, output.cap) / 2)} shown]\n`
    : "";
  return `\n${name}:\n${note}${text}${text.endsWith("\n") ? "" : "\n"}`;
}
