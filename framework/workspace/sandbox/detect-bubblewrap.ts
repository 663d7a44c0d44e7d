import { execFile } from "node:child_process";
import { bubblewrapArgs } from "./bubblewrap-args.ts";

/** Whether bubblewrap can start a sandbox here: `ok`, or why not, in words that follow "bubblewrap (`bwrap`) ". */
export type BubblewrapProbe = { ok: true } | { ok: false; reason: string };

const probes = new Map<string, Promise<BubblewrapProbe>>();
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Checks once per process, binary and PATH that `binary` exists and really starts a sandbox with the
 * options `run_command` uses (some containers forbid the namespaces bwrap needs), by running
 * `true` inside one. Never rejects.
 *
 * @example
 * await detectBubblewrap("bwrap"); // { ok: true }
 * await detectBubblewrap("/nowhere/bwrap"); // { ok: false, reason: "was not found" }
 */
export function detectBubblewrap(binary: string, path = process.env.PATH ?? "/usr/bin:/bin"): Promise<BubblewrapProbe> {
  const key = `${binary}\0${path}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = runProbe(binary, path);
    probes.set(key, probe);
  }
  return probe;
}

function runProbe(binary: string, path: string): Promise<BubblewrapProbe> {
  const args = [...bubblewrapArgs({ network: false }), "true"];
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: PROBE_TIMEOUT_MS, env: { PATH: path } }, (error, _stdout, stderr) => {
      if (!error) return resolve({ ok: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return resolve({ ok: false, reason: "was not found" });
      if (code === "EACCES") return resolve({ ok: false, reason: "is not executable" });
      const exit = (error as { code?: unknown }).code;
      const said =
        String(stderr).trim().split("\n")[0] ||
        ((error as { killed?: boolean }).killed ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : typeof exit === "number" ? `exit code ${exit}, nothing on stderr` : error.message.split("\n")[0]);
      resolve({ ok: false, reason: `cannot start a sandbox here (${said})` });
    });
  });
}
