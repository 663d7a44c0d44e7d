import { spawn } from "node:child_process";
import { OutputCollector } from "./collect-output.ts";

export interface RunProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Bytes kept of each of stdout and stderr (head and tail). */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

export interface ProcessResult {
  exitCode: number | null;
  /** The signal that ended the process, when one did. */
  exitSignal: string | null;
  stdout: OutputCollector;
  stderr: OutputCollector;
  timedOut: boolean;
  cancelled: boolean;
}

// How long to wait for the pipes to close after the process group was killed.
const CLOSE_GRACE_MS = 1_000;

/**
 * Starts `program` with `args` directly, never through a shell (`shell: false`; `$HOME`, `;`
 * and quotes are plain characters), in its own process group, which gets SIGKILL on timeout or
 * abort and when the program ends. Started through bubblewrap (see sandbox/), that kills the
 * sandbox, and its pid namespace takes every process in it along, a detached one too; started
 * directly, a process that left the group (setsid) survives.
 * stdin is closed. Rejects only when the program cannot be started (e.g. ENOENT).
 * Node's `execFile` does not pass `detached` on to `spawn`, hence `spawn` with the same options.
 *
 * @example
 * const r = await runProcess("node", ["--version"], { cwd, env, timeoutMs: 30_000, maxOutputBytes: 65536 });
 * r.exitCode; // 0
 */
export function runProcess(program: string, args: string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const stdout = new OutputCollector(options.maxOutputBytes);
    const stderr = new OutputCollector(options.maxOutputBytes);
    const result: ProcessResult = { exitCode: null, exitSignal: null, stdout, stderr, timedOut: false, cancelled: false };
    if (options.signal?.aborted) {
      resolve({ ...result, cancelled: true });
      return;
    }
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      detached: process.platform !== "win32",
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const killTree = () => {
      try {
        if (child.pid !== undefined && process.platform !== "win32") process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // The group is already gone.
      }
    };
    const stop = (why: "timedOut" | "cancelled") => {
      result[why] = true;
      killTree();
      graceTimer = setTimeout(() => finish(), CLOSE_GRACE_MS);
    };
    const timer = setTimeout(() => stop("timedOut"), options.timeoutMs);
    const onAbort = () => stop("cancelled");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanUp = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      cleanUp();
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(result);
    };
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("exit", (code, signal) => {
      result.exitCode = code;
      result.exitSignal = signal;
      killTree(); // anything it left running in the background
    });
    child.on("close", finish);
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      cleanUp();
      reject(error);
    });
  });
}
