import { readFileSync } from "node:fs";

/** Why a command is asked to stop: a signal, or the process that started it is gone. */
export type StopRequest = { kind: "signal"; signal: "SIGINT" | "SIGTERM" | "SIGHUP" } | { kind: "parent"; pid: number };

/** The process a command listens on; `process` itself by default. */
export type StopSource = Pick<NodeJS.Process, "on" | "off" | "ppid" | "pid">;

/** How often the launcher chain is looked at: a dead parent is noticed within this, well inside the 2 s docs/architecture.md §8 allows. */
export const PARENT_CHECK_MS = 250;

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** Signals closer together than this are one request (a launcher relaying the terminal's Ctrl+C); a person's second press comes later. */
export const SAME_PRESS_MS = 300;

/**
 * Calls `handler` on SIGINT, SIGTERM and SIGHUP, and when the process that launched this one
 * dies (docs/architecture.md §8): `npx` killed with SIGTERM orphans this process; killed with SIGKILL it
 * leaves its `sh -c` wrapper waiting on it. So the chain of launchers is watched up to the
 * nearest npm (through `sh -c` and tsx's CLI), on a short unref'd timer: any link that dies or
 * is re-parented counts. A request within 300 ms of the previous one is the same request: a Ctrl+C relayed, or a
 * closed terminal's hang-up and its launcher's end (told as the signal).
 * Only the runner uses this; the library's `run()` never stops itself.
 * Returns a function that stops listening.
 *
 * @example
 * const stop = onStopRequest((request) => controller.abort("interrupted"));
 * try { await run({ task, signal: controller.signal }); } finally { stop(); }
 */
export function onStopRequest(handler: (request: StopRequest) => void, source: StopSource = process): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let listening = true;
  // Requests closer together than SAME_PRESS_MS are one, whatever their source: one Ctrl+C can arrive twice (from the
  // terminal, and relayed by a launcher that got it too), and a closed terminal both hangs up on this process and
  // ends its launcher. Without this, the second would read as "quit at once" and the run would not be finalized.
  const tell = (request: StopRequest) => {
    const now = Date.now();
    if (!listening || now - last < SAME_PRESS_MS) return;
    last = now;
    handler(request);
  };
  const listeners = SIGNALS.map((signal) => [signal, () => tell({ kind: "signal", signal })] as const);
  for (const [signal, listener] of listeners) source.on(signal, listener);
  const chain = launcherChain(source.ppid);
  let told = false;
  const timer = setInterval(() => {
    if (told) return;
    const gone = brokenLink(source.ppid, chain);
    if (gone === undefined) return;
    told = true;
    // Told in the loop's check phase, after its poll phase has run the handler of a signal already delivered (the hang-up
    // sent before the launcher died): the request is then the signal, as the person did it.
    setImmediate(() => tell({ kind: "parent", pid: gone }));
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => {
    listening = false;
    clearInterval(timer);
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}

/** What a command says on stderr when asked to stop; the first SIGINT's line is the one the README quotes. */
export function describeStopRequest(request: StopRequest, what: string): string {
  if (request.kind === "parent") return `Interrupted: the process that started this one (pid ${request.pid}) is gone; finishing ${what}.`;
  if (request.signal === "SIGINT") return `Interrupted: finishing ${what} (press Ctrl+C again to quit at once).`;
  return `Interrupted by ${request.signal}: finishing ${what} (send it again to quit at once).`;
}

/**
 * The abort reason a stop request gives a run (`run()` turns any string but "cancelled" into
 * status interrupted, with the string as its status_reason): Ctrl+C is "interrupted" (by the user).
 *
 * @example
 * controller.abort(stopReason({ kind: "signal", signal: "SIGTERM" })); // "interrupted by SIGTERM"
 */
export function stopReason(request: StopRequest): string {
  if (request.kind === "parent") return `interrupted: the process that started it (pid ${request.pid}) is gone`;
  return request.signal === "SIGINT" ? "interrupted" : `interrupted by ${request.signal}`;
}

// This process's launchers, parent first: through `sh -c` wrappers and tsx's CLI, up to and including the nearest npm (at most 4).
function launcherChain(ppid: number): number[] {
  const chain = [ppid];
  while (chain.length < 4) {
    const top = chain[chain.length - 1]!;
    const argv = cmdline(top);
    if (!argv || top <= 1 || isNpm(argv) || !isWrapper(argv)) break;
    const up = parentOf(top);
    if (up === undefined || up <= 1) break;
    chain.push(up);
  }
  return chain;
}

// The pid of the first launcher that is gone (its child re-parented), or undefined while all are there.
function brokenLink(ppid: number, chain: number[]): number | undefined {
  if (ppid !== chain[0]) return chain[0];
  for (let i = 0; i + 1 < chain.length; i++) {
    if (parentOf(chain[i]!) !== chain[i + 1]) return chain[i + 1];
  }
  return undefined;
}

// npm sets its process title, so its argv reads `npm exec …`, `npm run …` or `npx …`.
function isNpm(argv: string[]): boolean {
  return /^(npm|npx)( |$)/.test(argv[0] ?? "") || /(^|\/)(npm|npx)(-cli\.js)?$/.test(argv[1] ?? "");
}

// A process that only runs another: `sh -c <command>` (how npm starts a bin or a script), or tsx's CLI (which starts node with its loader).
function isWrapper(argv: string[]): boolean {
  if (/(^|\/)(sh|bash|dash)$/.test(argv[0] ?? "") && argv[1] === "-c") return true;
  return argv.slice(1, 3).some((a) => /(^|\/)(tsx|tsx\/dist\/cli\.m?js)$/.test(a) || a.endsWith("/tsx/dist/cli.mjs"));
}

// Linux's /proc: the argv of `pid`, or undefined (gone, or no /proc).
function cmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

// "<pid> (<comm>) <state> <ppid> …": the parent of `pid`, or undefined once it is gone.
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}
