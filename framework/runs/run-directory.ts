import { randomBytes } from "node:crypto";
import { close, closeSync, existsSync, fdatasync, mkdirSync, open, openSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeJsonAtomic } from "../atomic-write.ts";
import type { RunContext } from "../coordination/run-context.ts";
import { pathError } from "../path-error.ts";
import { displayPath } from "../project/display-path.ts";
import { createStagedWrites } from "./staged-writes.ts";
import type { StatusJson } from "./status-json.ts";
import { sweepStaging } from "./sweep-staging.ts";

/** One line of events.jsonl: `t` is milliseconds since the run started, on the run's clock. */
export interface JournalEvent {
  t: number;
  type: string;
  [field: string]: unknown;
}

/**
 * A run's directory (docs/architecture.md §4, a contract): run_description.json, status.json, events.jsonl,
 * agents/<id>/answer-<k>.md and vote-<k>.json, final/<winner>/answer.txt, result.json.
 * Every file another process may read is replaced atomically; events.jsonl is append-only. The files
 * other than run_description.json are staged in the runs directory's `.staging/` folder and renamed into
 * place, so a process killed mid-write leaves a temporary file there, never in a run directory.
 */
export interface RunDirectory {
  runId: string;
  dir: string;
  writeDescription(description: Record<string, unknown>): void;
  /** Queues a line of events.jsonl; it is written with the next sync() or journalNow(). */
  journal(event: JournalEvent): void;
  /**
   * Appends the queued lines and `event` to events.jsonl in one write(2) before it returns, so the
   * line outlives the process however it dies: the call journal's write (a `run.turn`), made before
   * the machine acts on the turn. The file is then fdatasync'd in the background (one at a time,
   * later lines sharing the next), so a machine that crashes loses at most the last few milliseconds.
   */
  journalNow(event: JournalEvent): void;
  /**
   * Appends the pending journal lines, and queues the agents' new answers and votes, then status.json, for
   * the staged writer (written off the event loop, each atomically, in that order). status.json is written
   * at once when the phase, round or outcome changed, else at most every 250 ms, the latest winning.
   */
  sync(context: RunContext, status: StatusJson): void;
  /** Queues final/<winner>/answer.txt; returns its path, or null when there is no final answer. */
  writeFinalAnswer(context: RunContext): string | null;
  /** Queues result.json. */
  writeResult(result: unknown): void;
  /**
   * Replaces status.json alone, at once and synchronously (a resumed run naming its new process before its first
   * sync), dropping a status held back for the staged writer.
   */
  writeStatus(status: StatusJson): void;
  /**
   * Writes what is queued or held back (the last status.json), closes events.jsonl, and resolves once every
   * file is in place, with the errors of the writes that failed. The run's last call on its directory; a
   * journal line after it (a call cut off by the stop, failing late) is still appended, file opened and closed.
   */
  settle(): Promise<Error[]>;
  finalAnswerPath(winner: string | undefined): string | null;
  /** True once the freeze hook has fired: nothing more reaches the directory, as if the process had been killed. */
  readonly frozen: boolean;
}

/** Options of a run directory. */
export interface RunDirectoryOptions {
  /**
   * A test hook (`CONCLAVE_FREEZE_AFTER_WRITES`): after this many writes to events.jsonl, the directory
   * takes nothing more (what was queued before is still written), so it stays as a process whose writes
   * were done, killed at that moment, leaves it.
   */
  freezeAfterWrites?: number;
}

/**
 * The freeze hook's option from the environment: `CONCLAVE_FREEZE_AFTER_WRITES=<k>` (a positive integer), else none.
 *
 * @example
 * createRunDirectory(runsDir, freezeOption({ CONCLAVE_FREEZE_AFTER_WRITES: "3" })); // frozen after 3 writes
 */
export function freezeOption(env: NodeJS.ProcessEnv): RunDirectoryOptions {
  const raw = env.CONCLAVE_FREEZE_AFTER_WRITES;
  const n = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? { freezeAfterWrites: n } : {};
}

/** A run id unique across parallel processes: UTC time to the second plus 48 random bits. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(6).toString("hex")}`;
}

/**
 * Makes a new, empty run directory under `runsDir`. A runs directory that cannot hold one (a file in the way, no
 * permission) is a ConfigError naming it.
 */
export function createRunDirectory(runsDir: string, options: RunDirectoryOptions = {}): RunDirectory {
  const root = resolve(runsDir);
  try {
    return makeRunDirectory(root, options);
  } catch (error) {
    throw pathError(error, `make a run directory in \`${displayPath(root)}\``, "Give a runs directory you can write (`--runs-dir`, or run()'s `runsDir`).") ?? error;
  }
}

function makeRunDirectory(root: string, options: RunDirectoryOptions): RunDirectory {
  let runId = newRunId();
  let dir = join(root, runId);
  // mkdir without `recursive` fails on an existing directory, so two processes never share one. The runs directory
  // itself is made only when it is missing (the first run, or removed since), not checked at every run.
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt > 5 || (code !== "ENOENT" && code !== "EEXIST")) throw error;
      if (code === "ENOENT") mkdirSync(root, { recursive: true });
      else {
        runId = newRunId();
        dir = join(root, runId);
      }
    }
  }
  // events.jsonl is made empty and kept open for the run's appends.
  return runDirectoryAt(dir, runId, options, false, openSync(join(dir, "events.jsonl"), "wx"));
}

/**
 * The run directory of an existing run, to go on writing it (a resumed run): its events.jsonl is
 * appended to, its other files replaced as a run replaces them.
 *
 * @example
 * const runDir = openRunDirectory(".conclave/runs/20261121-101500-3f9a1c2b7d4e");
 */
export function openRunDirectory(dir: string, options: RunDirectoryOptions = {}): RunDirectory {
  const path = resolve(dir);
  return runDirectoryAt(path, basename(path), options, true);
}

/** An unchanged status.json is still rewritten when its last write is this old: the heartbeat (every 2 s) goes on. */
const UNCHANGED_STATUS_EVERY_MS = 1_000;
/** status.json is written at most this often (wall clock), except at once when the phase, round or outcome changes. */
export const STATUS_EVERY_MS = 250;
/** The folder of a runs directory where a run's files are written before they are renamed into place. */
export const STAGING_DIR = ".staging";

function runDirectoryAt(dir: string, runId: string, options: RunDirectoryOptions, reopened = false, eventsFd?: number): RunDirectory {
  const eventsPath = join(dir, "events.jsonl");
  const statusPath = join(dir, "status.json");
  const stagingDir = join(dirname(dir), STAGING_DIR);
  void sweepStaging(stagingDir);
  const files = createStagedWrites(stagingDir, [dir]);
  let lines: string[] = [];
  let writes = 0;
  let frozen = false;
  let settled = false;
  const written = { answers: 0, votes: 0 };
  // status.json as last offered, less its clock fields, and when: a status that says nothing new is written only as a heartbeat.
  let lastStatus = "";
  let lastStatusAt = Number.NEGATIVE_INFINITY;
  let lastStage = "";
  // Coalescing: a status offered within 250 ms of the last one written waits (the latest winning) unless its stage changed.
  let lastPutAt = Number.NEGATIVE_INFINITY;
  let heldStatus: string | undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  const putStatus = (text: string) => {
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = undefined;
    heldStatus = undefined;
    lastPutAt = Date.now();
    files.put(statusPath, text);
  };
  const offerStatus = (status: StatusJson) => {
    const { last_updated: _u, elapsed_seconds: _e, heartbeat_at: _h, ...meta } = status.meta;
    const substance = JSON.stringify({ ...status, meta });
    const now = Date.now();
    if (substance === lastStatus && now - lastStatusAt < UNCHANGED_STATUS_EVERY_MS) return;
    const stage = `${status.coordination.phase}/${status.coordination.round}/${status.results.status}`;
    const wait = stage === lastStage ? lastPutAt + STATUS_EVERY_MS - now : 0;
    lastStatus = substance;
    lastStatusAt = now;
    lastStage = stage;
    const text = `${JSON.stringify(status, null, 2)}\n`;
    if (wait <= 0) return putStatus(text);
    heldStatus = text;
    statusTimer ??= setTimeout(() => heldStatus !== undefined && putStatus(heldStatus), wait).unref();
  };
  const finalAnswerPath = (winner: string | undefined) => (winner ? join(dir, "final", winner, "answer.txt") : null);
  // Group commit: one fdatasync in flight at a time; lines appended meanwhile share the next one. It syncs the run's
  // own open events.jsonl (after the run's end, a descriptor of its own): a descriptor settle() lets go of while its
  // sync is in flight is closed when that sync is done, so no sync ever runs on a closed (or reused) descriptor.
  let syncing = false;
  let dirty = false;
  let syncingFd: number | undefined; // the run's descriptor a sync in flight uses
  const syncToDisk = () => {
    if (syncing) {
      dirty = true;
      return;
    }
    syncing = true;
    dirty = false;
    const done = () => {
      syncing = false;
      if (dirty) syncToDisk();
    };
    const fd = eventsFd;
    if (fd !== undefined) {
      syncingFd = fd;
      fdatasync(fd, () => {
        syncingFd = undefined;
        // settle() let it go meanwhile: closed now.
        if (eventsFd !== fd) close(fd, done);
        else done();
      });
      return;
    }
    open(eventsPath, "r", (error, own) => {
      if (error) return done();
      fdatasync(own, () => close(own, done));
    });
  };
  // The freeze hook: what was queued before it is still written (a run directory as a synchronous writer killed at that
  // moment leaves it), nothing after it.
  const freeze = () => {
    if (heldStatus !== undefined) putStatus(heldStatus);
    frozen = true;
    files.seal();
  };
  // One append of whole lines, with write(2) on the run's open events.jsonl: in the file (the page cache) when it
  // returns; `durable` then syncs it to disk.
  const append = (text: string, durable: boolean) => {
    // A line after the run's end (a call the stop cut off, failing late) is appended without keeping the file open.
    const fd = eventsFd ?? openSync(eventsPath, "a");
    if (!settled) eventsFd = fd;
    try {
      writeSync(fd, text);
    } finally {
      if (settled) closeSync(fd);
    }
    if (durable) syncToDisk();
    writes++;
    if (options.freezeAfterWrites !== undefined && writes >= options.freezeAfterWrites) freeze();
  };

  return {
    runId,
    dir,
    get frozen() {
      return frozen;
    },
    writeDescription(description) {
      if (!frozen) writeJsonAtomic(join(dir, "run_description.json"), description);
    },
    journal(event) {
      if (!frozen) lines.push(JSON.stringify(event));
    },
    journalNow(event) {
      if (frozen) return;
      lines.push(JSON.stringify(event));
      const text = `${lines.join("\n")}\n`;
      lines = [];
      append(text, true);
    },
    sync(context, status) {
      if (frozen) return;
      // A reopened run's earlier process wrote some of these already, atomically and the same: they are kept.
      const missing = (path: string) => !reopened || !existsSync(path);
      for (const a of context.answers.slice(written.answers)) {
        const path = join(dir, "agents", a.agentId, `answer-${a.k}.md`);
        if (missing(path)) files.put(path, `${a.content.trimEnd()}\n`);
      }
      written.answers = context.answers.length;
      for (const v of context.votes.slice(written.votes)) {
        const path = join(dir, "agents", v.voter, `vote-${v.k}.json`);
        if (missing(path)) files.put(path, `${JSON.stringify({ round: v.round, label: v.label, answer: v.target, reason: v.reason }, null, 2)}\n`);
      }
      written.votes = context.votes.length;
      if (lines.length) {
        const text = `${lines.join("\n")}\n`;
        lines = [];
        append(text, false);
        if (frozen) return;
      }
      offerStatus(status);
    },
    writeFinalAnswer(context) {
      const path = finalAnswerPath(context.winner);
      if (!path || context.finalAnswer === undefined) return null;
      if (!frozen) files.put(path, `${context.finalAnswer.trimEnd()}\n`);
      return path;
    },
    writeResult(result) {
      if (!frozen) files.put(join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
    },
    writeStatus(status) {
      if (frozen) return;
      if (statusTimer) clearTimeout(statusTimer);
      statusTimer = undefined;
      heldStatus = undefined;
      writeJsonAtomic(statusPath, status);
      lastStatus = "";
      lastStage = "";
    },
    async settle() {
      if (heldStatus !== undefined && !frozen) putStatus(heldStatus);
      const errors = await files.settle();
      settled = true;
      // One a sync still uses is closed by that sync when it is done.
      if (eventsFd !== undefined && eventsFd !== syncingFd) closeSync(eventsFd);
      eventsFd = undefined;
      return errors;
    },
    finalAnswerPath,
  };
}
