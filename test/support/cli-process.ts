import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root and the `conclave` command the tests drive as a child process. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(REPO, "bin", "conclave.js");

/** The test's environment without API keys, CONCLAVE_CONFIG or colour switches, so runs are offline and plain. */
export function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "CONCLAVE_CONFIG", "NO_COLOR", "FORCE_COLOR"]) delete env[name];
  return env;
}

/** A fresh directory under os.tmpdir() (real path, so it compares equal to what the CLI prints). */
export function makeTempDir(prefix = "conclave-cli-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Writes `text` to `<dir>/<name>` and returns the file's path. */
export function writeConfig(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
}

export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has exited (killed with SIGKILL once `timeoutMs` passes). */
  exited: Promise<CliOutcome>;
  /** Resolves with the first stdout line matching `pattern`; rejects after `timeoutMs` or at exit. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  stdout(): string;
}

export interface StartOptions {
  cwd: string;
  /** The command to run; `node bin/conclave.js` by default. */
  command?: [string, ...string[]];
  /** Variables added to (or, when undefined, removed from) `cliEnv()`. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Starts `conclave <args>` with piped output. */
export function startCli(args: string[], options: StartOptions): CliProcess {
  const [file, ...pre] = options.command ?? [process.execPath, CLI];
  const started = Date.now();
  const env = { ...cliEnv(), ...options.env };
  const child = spawn(file, [...pre, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const lineWaiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const check of [...lineWaiters]) check();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  const exited = new Promise<CliOutcome>((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      for (const check of [...lineWaiters]) check();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no stdout line matching ${pattern} within ${timeoutMs} ms; stdout so far:\n${stdout}`)), timeoutMs);
      const finish = (outcome: string | Error) => {
        clearTimeout(timer);
        lineWaiters.delete(check);
        if (typeof outcome === "string") resolve(outcome);
        else reject(outcome);
      };
      const check = () => {
        const line = stdout.split("\n").slice(0, -1).find((l) => pattern.test(l));
        if (line !== undefined) finish(line);
        else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`exited before printing a line matching ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
      };
      lineWaiters.add(check);
      check();
    });

  return { child, exited, waitForLine, stdout: () => stdout };
}

/** Runs `conclave <args>` to the end. */
export function runCli(args: string[], options: StartOptions): Promise<CliOutcome> {
  return startCli(args, options).exited;
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? join(prefix, name) : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** The one run directory under `runsDir` (its `.staging/` folder is not one); fails when there is not exactly one. */
export function onlyRunDir(runsDir: string): string {
  const dirs = readdirSync(runsDir).filter((name) => !name.startsWith(".")) // not .staging/, .gitignore;
  if (dirs.length !== 1) throw new Error(`expected one run directory in ${runsDir}, found ${dirs.length}: ${dirs.join(", ")}`);
  return join(runsDir, dirs[0]!);
}
