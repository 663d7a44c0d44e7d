import { z } from "zod";
import type { OutputCollector } from "../collect-output.ts";
import { checkCommand } from "../command-policy.ts";
import { runProcess } from "../run-process.ts";
import { chooseSandbox } from "../sandbox/choose-sandbox.ts";
import { defineTool, type ToolResult } from "./define-tool.ts";

/**
 * `run_command {command, args}`: runs an allowed program in the workspace, without a shell,
 * inside the sandbox `commands.sandbox` chooses (docs/architecture.md §6: bubblewrap, or refused when there
 * is none, or unconfined with `none`), with an allowlisted environment, a time cap (the sandbox
 * and every process in it are killed) and an output cap (head and tail kept). `ok` is true when
 * it exited with code 0.
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
    const sandbox = await chooseSandbox({
      mode: settings.commands.sandbox,
      root: settings.root,
      network: settings.commands.network,
      env: settings.commands.env,
      base: settings.env,
      hidden: settings.hidden,
      ...(settings.bubblewrap && { bubblewrap: settings.bubblewrap }),
    });
    if (sandbox.kind === "refused") return { ok: false, content: sandbox.message };
    const started = sandbox.command(program, args);
    let result;
    try {
      result = await runProcess(started.file, started.args, {
        cwd: settings.root,
        env: started.env,
        timeoutMs: settings.commandTimeoutMs,
        maxOutputBytes: settings.maxOutputBytes,
        signal,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EACCES") return notStarted(program, code);
      throw error;
    }
    const failure = sandbox.startFailure(result, program);
    if (failure) return notStarted(program, failure);
    const { stdout, stderr } = result;
    const status = result.timedOut
      ? `Command timed out after ${settings.commandTimeoutMs} ms; ${sandbox.killed}.`
      : result.cancelled
        ? `Command was cancelled; ${sandbox.killed}.`
        : result.exitCode !== null
          ? `exit code: ${result.exitCode}`
          : `killed by signal ${result.exitSignal}`;
    const [outBudget, errBudget] = budgets(stdout.total, stderr.total, settings.maxOutputBytes);
    const content = [status, section("stdout", stdout, outBudget), section("stderr", stderr, errBudget)].join("");
    return { ok: result.exitCode === 0 && !result.timedOut && !result.cancelled, content };
  },
});

function notStarted(program: string, code: "ENOENT" | "EACCES"): ToolResult {
  return { ok: false, content: code === "ENOENT" ? `Command "${program}" was not found.` : `Command "${program}" is not executable.` };
}

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
