import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { packagePath } from "../../package-root.ts";
import type { OutputCollector } from "../collect-output.ts";
import { bubblewrapArgs, SANDBOX_BIN_DIR } from "./bubblewrap-args.ts";
import { commandEnv } from "./command-env.ts";
import { detectBubblewrap } from "./detect-bubblewrap.ts";

/** `commands.sandbox`: bubblewrap when it works (`auto`), bubblewrap or nothing (`bwrap`), or no boundary (`none`). */
export type SandboxMode = "auto" | "bwrap" | "none";

export interface SandboxOptions {
  mode: SandboxMode;
  /** The agent's workspace, absolute. */
  root: string;
  network: boolean;
  /** Variable names passed through (`commands.env`). */
  env: string[];
  /** The parent's environment: the allowlisted variables, and `CONCLAVE_BWRAP`, come from it. */
  base: NodeJS.ProcessEnv;
  /** The bubblewrap binary; default `CONCLAVE_BWRAP` from `base`, then `bwrap` on PATH. */
  bubblewrap?: string;
  /** Files that read as empty inside the sandbox (e.g. the `.env` that holds the keys); those that do not exist are skipped. */
  hidden?: string[];
}

/** How one command is started: the file to spawn, its arguments and environment. */
export interface SandboxedCommand {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** A way to run commands, or the reason there is none. */
export type Sandbox =
  | {
      kind: "bwrap" | "none";
      command(program: string, args: string[]): SandboxedCommand;
      /** What is killed at a timeout or cancel, for the message to the agent. */
      killed: string;
      /** "ENOENT" or "EACCES" when the program could not be started, read from how the attempt ended. */
      startFailure(result: { exitCode: number | null; stdout: OutputCollector; stderr: OutputCollector }, program: string): "ENOENT" | "EACCES" | null;
    }
  | { kind: "refused"; message: string };

/** This package's `conclave` command, put on the sandbox's PATH so agents can start nested runs. */
export const CONCLAVE_BIN = packagePath("bin/conclave.js");

// This package and node, when they live under /tmp (a clone or an install there): the sandbox's private /tmp would hide them.
// An installed package's dependencies sit beside it, so the node_modules that holds it stays visible whole; a package whose
// own node_modules is a link (pnpm, a linked checkout) has the folder it points to kept visible too.
// Found at the first sandbox a process makes, not when the module loads (every start loads it).
const PACKAGE_ROOT = resolve(dirname(CONCLAVE_BIN), "..");
let underTmp: string[] | undefined;
const visibleUnderTmp = (): string[] =>
  (underTmp ??= [
    ...new Set([basename(dirname(PACKAGE_ROOT)) === "node_modules" ? dirname(PACKAGE_ROOT) : PACKAGE_ROOT, linkedModules(PACKAGE_ROOT), dirname(process.execPath)]),
  ].filter((path): path is string => path !== undefined && path.startsWith("/tmp/")));

// Where `<root>/node_modules` really is, when it is a link to a folder elsewhere.
function linkedModules(root: string): string | undefined {
  try {
    const real = realpathSync(join(root, "node_modules"));
    return real === join(realpathSync(root), "node_modules") ? undefined : real;
  } catch {
    return undefined;
  }
}

/** What a run says once when its commands run without a boundary. */
export const UNCONFINED_NOTICE =
  "Commands run without a sandbox (`commands.sandbox: none`): a program an agent runs can read and write whatever this user can, and reach the network. Set `commands.sandbox: auto` and install bubblewrap (`apt-get install bubblewrap`) to confine them.";

const FIX = "Install it (`apt-get install bubblewrap`), or set `commands.sandbox: none` in the config to run commands without a boundary.";

/**
 * Picks how `run_command` runs for `options.mode` (docs/architecture.md §6). `auto` and `bwrap` use
 * bubblewrap when it is installed and can start a sandbox here (checked once per process), and
 * otherwise refuse with a message naming the fix; `none` runs the program directly. Both build
 * the environment from the allowlist, and put `conclave` (this package) on PATH.
 *
 * @example
 * const sandbox = await chooseSandbox({ mode: "auto", root: "/work/ws", network: false, env: [], base: process.env });
 * if (sandbox.kind === "refused") console.log(sandbox.message);
 * else sandbox.command("npm", ["test"]); // { file: "bwrap", args: ["--die-with-parent", …, "--", "npm", "test"], env: { PATH, HOME: "/work/ws", … } }
 */
export async function chooseSandbox(options: SandboxOptions): Promise<Sandbox> {
  if (options.mode === "none") return unconfined(options);
  const { binary, from } = bubblewrapBinary(options);
  const named = `bubblewrap (\`${binary}\`${from ? `, from ${from}` : ""})`;
  const env = commandEnv(options.base, { home: options.root, pass: options.env, pathPrefix: [SANDBOX_BIN_DIR] });
  const probe = process.platform === "linux" ? await detectBubblewrap(binary, env.PATH) : { ok: false as const, reason: `runs on Linux only (this is ${process.platform})` };
  if (!probe.ok) {
    const message =
      options.mode === "bwrap"
        ? `\`commands.sandbox\` is \`bwrap\`, but ${named} ${probe.reason}. ${FIX}`
        : `run_command needs a sandbox and none is available here: ${named} ${probe.reason}. ${FIX}`;
    return { kind: "refused", message };
  }
  const hidden = (options.hidden ?? []).filter(isFile);
  const prefix = bubblewrapArgs({
    root: options.root,
    network: options.network,
    conclaveBin: CONCLAVE_BIN,
    visible: visibleUnderTmp(),
    hidden,
    ...(hidden.length && { emptyFile: emptyFile() }),
  });
  return {
    kind: "bwrap",
    command: (program, args) => ({ file: binary, args: [...prefix, program, ...args], env }),
    killed: "its sandbox was killed, with every process in it",
    startFailure(result, program) {
      if (result.exitCode !== 1 || result.stdout.total !== 0) return null;
      const said = result.stderr.render(result.stderr.cap).trim();
      if (said === `bwrap: execvp ${program}: No such file or directory`) return "ENOENT";
      if (said === `bwrap: execvp ${program}: Permission denied`) return "EACCES";
      return null;
    },
  };
}

// No boundary: the program itself, with the allowlisted environment; `conclave` is this package's.
function unconfined(options: SandboxOptions): Sandbox {
  const env = commandEnv(options.base, { home: options.root, pass: options.env });
  return {
    kind: "none",
    command: (program, args) =>
      program === "conclave" ? { file: process.execPath, args: [CONCLAVE_BIN, ...args], env } : { file: program, args, env },
    killed: "its process group was killed",
    startFailure: () => null,
  };
}

// The option, then CONCLAVE_BWRAP, then `bwrap` on PATH; `from` says where a non-default value came from.
function bubblewrapBinary(options: SandboxOptions): { binary: string; from?: string } {
  if (options.bubblewrap) return { binary: options.bubblewrap, from: "the `bubblewrap` option" };
  const fromEnv = options.base.CONCLAVE_BWRAP;
  if (fromEnv) return { binary: fromEnv, from: "`CONCLAVE_BWRAP`" };
  return { binary: "bwrap" };
}

// True for a regular file (following links, as the bind mount does); false when there is none.
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

let empty: string | undefined;

// An empty, read-only file of this process's, made once: what a hidden file reads as inside the sandbox.
function emptyFile(): string {
  if (empty && isFile(empty)) return empty;
  const dir = mkdtempSync(join(tmpdir(), "conclave-sandbox-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  empty = join(dir, "empty");
  writeFileSync(empty, "", { mode: 0o444 });
  return empty;
}
