import type { JournalEvent } from "../runs/run-directory.ts";
import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";
import { createAutomationOutput } from "./automation-output.ts";
import type { CliIo } from "./cli.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { describeStopRequest, onStopRequest, stopReason } from "./on-stop-request.ts";
import { createProgressView, loadTerminalView } from "./progress-view.ts";

/** One run shown on the terminal: the progress view or the automation lines, and its stop requests. */
export interface TerminalRun {
  /** Aborted on Ctrl+C, SIGTERM, SIGHUP or a launcher that died (the run finalizes as interrupted). */
  signal: AbortSignal;
  /** A line on stderr, written above the progress block, never through it. */
  note(line: string): void;
  /** For the run's options: the first line of automation output, and each status and event shown. */
  onStart(info: { logDir: string }): void;
  onStatus(status: StatusJson): void;
  onEvent(event: JournalEvent): void;
  /** Stops listening for stop requests; call it once the run has ended (or failed to start). */
  release(): void;
  /** Shows how the run ended (the outcome, the answer on stdout, the reason) and returns the exit code. */
  finish(result: RunResult): number;
}

/**
 * The terminal side of `conclave ask` and `conclave resume`: `--automation`'s plain lines or the live
 * progress view, and Ctrl+C finalizing the run as interrupted (a second signal quits at once, exit 4).
 *
 * @example
 * const terminal = await runOnTerminal(io, { automation: false });
 * try { result = await run({ task, ...terminal, signal: terminal.signal }); } finally { terminal.release(); }
 * return terminal.finish(result);
 */
export async function runOnTerminal(io: CliIo, options: { automation: boolean }): Promise<TerminalRun> {
  const auto = options.automation ? createAutomationOutput((line) => io.stdout.write(`${line}\n`)) : undefined;
  if (!auto && io.stderr.isTTY) await loadTerminalView();
  const color = Boolean(io.stderr.isTTY) && !io.env.NO_COLOR;
  const view = auto ? undefined : createProgressView({ stream: io.stderr, tty: Boolean(io.stderr.isTTY), color });
  const note = (line: string) => (view ? view.print(line) : io.stderr.write(`${line}\n`));

  const controller = new AbortController();
  let requests = 0;
  const release = onStopRequest((request) => {
    if (++requests > 1) return request.kind === "signal" ? io.process.exit(EXIT.interrupted) : undefined;
    note(`\n${describeStopRequest(request, "the run")}`);
    controller.abort(stopReason(request));
  }, io.process);

  return {
    signal: controller.signal,
    note,
    onStart: ({ logDir }) => auto?.start(logDir),
    onStatus: (s) => view?.update(s),
    onEvent: (e) => (auto ? auto.event(e) : view!.event(e)),
    release,
    finish(result) {
      if (auto) auto.finish(result);
      else {
        view!.finish(result);
        if (result.answer) io.stdout.write(`\n${result.answer.trimEnd()}\n`);
      }
      // The progress view's outcome line already gives the reason when there is no winner, or when the reason names the status.
      const viewSaidIt = view !== undefined && (result.winner === null || Boolean(result.status_reason?.startsWith(result.status)));
      if (result.status !== "completed" && result.status_reason && !viewSaidIt) io.stderr.write(`${result.status}: ${result.status_reason}\n`);
      if (!auto && result.status === "interrupted") io.stderr.write(`Resume it where it stopped: npx conclave resume ${result.log_dir}\n`);
      return exitCodeFor(result.status);
    },
  };
}
