import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cliEnv } from "./cli-process.ts";
import { killPids, processTree } from "./pty-process-tree.ts";

// Drives a command under a pseudo-terminal: a detached tmux session of a fixed size, on a server
// of its own (`tmux -S <socket in the test's directory>`), so the command sees a TTY on stdin, stdout and stderr. Keys go
// in with send-keys, the screen comes out with capture-pane, and `script` (util-linux) inside
// the pane records the raw bytes the command wrote, escape codes and all.

/** Quotes `s` for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface TmuxOptions {
  /** The working directory of the command. */
  cwd: string;
  /** A directory of the test's own for the server's socket, tmux.conf, the raw record and the exit code. */
  dir: string;
  /** Variables added to (or, when undefined, removed from) `cliEnv()`. */
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
}

export interface TmuxSession {
  /** The pane's whole text: the scrollback, then the visible screen; trailing blank lines dropped. */
  capture(): string;
  /** Sends `text` as typed keys (literally), then Enter. */
  type(text: string): void;
  /** Sends tmux key names, e.g. "C-c" or "Enter". */
  keys(...names: string[]): void;
  /** Polls the pane until `pattern` matches its text; returns the text. Throws with the text after `timeoutMs`. */
  waitForScreen(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The command's exit code once it has exited, else undefined. */
  exitCode(): number | undefined;
  /** Polls until the command has exited; returns its exit code. Throws with the screen after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<number>;
  /** Everything the command wrote to the terminal, as `script` recorded it (escape codes included). */
  raw(): string;
  /** Kills the tmux server and every process of the pane, and waits until they are gone. Safe to call twice. */
  kill(): Promise<void>;
}

let sessions = 0;

/** Starts `command` (argv, run with no shell) in a detached tmux session of `cols`×`rows`. */
export function startTmux(command: string[], options: TmuxOptions): TmuxSession {
  const name = `tmux-${++sessions}`;
  const socket = join(options.dir, `${name}.sock`);
  const conf = join(options.dir, `${name}.conf`);
  const rawFile = join(options.dir, `${name}.raw`);
  const rcFile = join(options.dir, `${name}.rc`);
  // The pane stays (and can be captured) after the command exits; scrollback keeps whatever scrolled.
  writeFileSync(conf, "set -g remain-on-exit on\nset -g history-limit 10000\nset -g default-shell /bin/sh\nset -g status off\n");
  const env: NodeJS.ProcessEnv = { ...cliEnv(), ...options.env };
  delete env.TMUX;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  // The server is started by the first command below, so the session inherits `env`; `env -u`
  // makes sure of the variables that must not be there.
  const unset = Object.entries(options.env ?? {}).filter(([, v]) => v === undefined).map(([k]) => k);
  // `exec`: the pane's shell (`script` runs `$SHELL -c`, and tmux makes SHELL /bin/sh) becomes the command, so
  // Ctrl+C reaches the command alone and the exit code recorded is the command's, as an interactive shell would see it.
  const inner = ["exec", "env", ...["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "CONCLAVE_CONFIG", ...unset].flatMap((k) => ["-u", k]), ...command].map(shellQuote).join(" ");
  const line = `cd ${shellQuote(options.cwd)} && script -qfec ${shellQuote(inner)} ${shellQuote(rawFile)}; echo $? > ${shellQuote(rcFile)}.tmp && mv ${shellQuote(rcFile)}.tmp ${shellQuote(rcFile)}`;
  const tmux = (...args: string[]) => execFileSync("tmux", ["-S", socket, "-f", conf, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 5_000 });
  tmux("new-session", "-d", "-s", "main", "-x", String(options.cols ?? 120), "-y", String(options.rows ?? 40), line);
  let killed = false;

  const capture = () => tmux("capture-pane", "-p", "-t", "main", "-S", "-", "-E", "-").replace(/\n+$/, "\n");
  const exitCode = () => (existsSync(rcFile) ? Number(readFileSync(rcFile, "utf8").trim()) : undefined);
  return {
    capture,
    type(text) {
      tmux("send-keys", "-t", "main", "-l", text);
      tmux("send-keys", "-t", "main", "Enter");
    },
    keys(...names) {
      tmux("send-keys", "-t", "main", ...names);
    },
    async waitForScreen(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = capture();
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`the screen did not match ${pattern} within ${timeoutMs} ms; it shows:\n${text}`);
        await sleep(25);
      }
    },
    exitCode,
    async waitForExit(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const code = exitCode();
        if (code !== undefined) return code;
        if (Date.now() > deadline) throw new Error(`the command did not exit within ${timeoutMs} ms; the screen shows:\n${capture()}`);
        await sleep(25);
      }
    },
    raw: () => (existsSync(rawFile) ? readFileSync(rawFile, "utf8") : ""),
    async kill() {
      if (killed) return;
      killed = true;
      // The pane's processes (sh → script → the command), taken while they are still the
      // server's: once it is gone, an orphan would no longer be found by its parent.
      let pids: number[] = [];
      try {
        const [server, pane] = tmux("display-message", "-p", "-t", "main", "#{pid} #{pane_pid}").trim().split(" ").map(Number);
        const tree = processTree(server!);
        if (tree.includes(pane!)) pids = tree;
      } catch {
        // The server is already gone.
      }
      try {
        tmux("kill-server");
      } catch {
        // The server is already gone.
      }
      await killPids(pids);
    },
  };
}
