import { existsSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { RunSettings } from "../coordination/run-context.ts";
import { ConfigError } from "../errors.ts";
import { openProject } from "../project/open-project.ts";
import { contextDigest } from "./context-digest.ts";
import { freezeOption, openRunDirectory, type JournalEvent } from "./run-directory.ts";
import { runEvidence, runLiveness } from "./run-liveness.ts";
import { normalizeRunOptions, type ContextPath, type RunOptions } from "./run-options.ts";
import { readRunJson } from "./read-run-file.ts";
import type { RunResult } from "./run-result.ts";
import type { StatusJson } from "./status-json.ts";
import { runOnce } from "./run.ts";
import { runsGoingHere } from "./runs-going-here.ts";
import { takeResumeLock } from "./take-resume-lock.ts";
import type { TurnRecord } from "./turn-journal.ts";

/** Options of resumeRun(): the plumbing of run(), and what the run directory does not keep (its config object, context). */
export type ResumeOptions<T = unknown> = Pick<
  RunOptions<T>,
  "config" | "context" | "project" | "output" | "clock" | "signal" | "env" | "onStatus" | "onEvent" | "onStart" | "onNotice" | "askHuman" | "approve"
>;

// Events the resumed run does not produce again, so they are left out of the match against what it produces.
const NOT_REPRODUCED = new Set(["run.turn", "run.resumed", "run.note", "run.agent.note"]);

/**
 * Resumes a run that stopped before it finished (killed, crashed, abandoned), in its own directory
 * and under its own id: it is rebuilt from run_description.json (task, settings, agents, config
 * path) and events.jsonl, whose recorded turns (`run.turn`) are replayed without calling a model;
 * only the turns not recorded are called, and the run goes on as if never interrupted. Deadlines
 * count the run's active time. Throws ConfigError, before writing anything, for a run that has
 * finished, one still going, or one it cannot rebuild (saying why and what to do).
 *
 * @example
 * const result = await resumeRun(".conclave/runs/20261121-101500-3f9a1c2b7d4e");
 * console.log(result.status, result.winner); // as the run would have ended, uninterrupted
 */
export async function resumeRun<T = unknown>(runDir: string, options: ResumeOptions<T> = {}): Promise<RunResult<T>> {
  const dir = resolve(runDir);
  const description = readRunJson<Record<string, unknown>>(dir, "run_description.json");
  if (!description || typeof description.task !== "string") {
    throw new ConfigError(`\`${runDir}\` is not a run that can be resumed: expected a run_description.json with its task in it, found ${existsSync(join(dir, "run_description.json")) ? "one that does not parse" : "none"}. Pass a run directory.`);
  }
  const runId = typeof description.run_id === "string" ? description.run_id : basename(dir);
  const finished = readRunJson<{ status?: unknown }>(dir, "result.json");
  // An interrupted run (Ctrl+C, SIGTERM at a reboot, SIGHUP) stopped before it finished its work: it is resumed.
  const interrupted = finished?.status === "interrupted";
  if (typeof finished?.status === "string" && !interrupted) {
    throw new ConfigError(`run ${runId} has finished (${finished.status}): there is nothing to resume. Start a new run instead.`);
  }
  // One resume at a time: the lock is held until this one ends, and the run's liveness is judged under it.
  const release = await takeResumeLock(dir, runId);
  try {
    return await resumeLocked<T>(dir, runId, description as Record<string, unknown> & { task: string }, interrupted, options);
  } finally {
    release();
  }
}

async function resumeLocked<T>(dir: string, runId: string, description: Record<string, unknown> & { task: string }, interrupted: boolean, options: ResumeOptions<T>): Promise<RunResult<T>> {
  const status = readRunJson<StatusJson>(dir, "status.json");
  const evidence = runEvidence(status, description);
  if (evidence.pid === process.pid ? runsGoingHere.has(dir) : runLiveness(evidence).alive) {
    throw new ConfigError(`run ${runId} is still going (pid ${String(evidence.pid)} on ${String(evidence.host)}): stop it first (Ctrl+C, or kill ${String(evidence.pid)}), then resume it.`);
  }
  const contextPaths = Array.isArray(description.context_paths) ? (description.context_paths as ContextPath[]) : undefined;
  const contextBase = typeof description.context_base === "string" ? description.context_base : undefined;
  if (usesWorkspaces(dir) && !(contextPaths && contextBase)) {
    throw new ConfigError(`run ${runId} works on files, but its run_description.json does not say which (\`context_paths\`, recorded since runs can be resumed): it cannot be resumed. Start it again instead.`);
  }
  const settings = (description.options as { settings?: RunSettings } | undefined)?.settings;
  if (!settings) throw new ConfigError(`run ${runId}: run_description.json has no \`options.settings\`, so the run cannot be rebuilt. Start it again instead.`);
  const configPath = typeof description.config_path === "string" ? description.config_path : undefined;
  const config = options.config ?? configPath;
  if (config === undefined) {
    throw new ConfigError(`run ${runId} was given its config as an object (run_description.json has no \`config_path\`): pass the same config, resumeRun(dir, { config }).`);
  }
  const agents = Array.isArray(description.agents) ? (description.agents as { id: string }[]).map((a) => a.id) : undefined;
  const project = options.project ?? projectOf(dir);
  const dryRun = Boolean((description.options as { dry_run?: unknown }).dry_run);
  const rebuilt: RunOptions<T> = {
    ...options,
    task: description.task,
    config,
    ...(agents && { agents }),
    ...(project && { project }),
    ...(settings.planning && { planning_mode: true }),
    ...(contextPaths && { context_paths: contextPaths }),
    ...(dryRun && { dryRun }),
  };
  const normalized = normalizeRunOptions(rebuilt);
  if (typeof description.context_sha256 === "string" && (normalized.context === undefined || contextDigest(normalized.context).context_sha256 !== description.context_sha256)) {
    throw new ConfigError(
      `run ${runId} had a context (sha256 ${description.context_sha256.slice(0, 12)}…) that is not the one given now: its project's CONTEXT.md or listed files changed, or the run's \`context\` option (a session's conversation) is not kept in the run directory. Pass the same context, resumeRun(dir, { context }), or start the run again.`,
    );
  }
  // A line the kill tore (no newline at its end) is cut off, so the resumed run's lines start on a line of their own.
  cutTornLine(join(dir, "events.jsonl"));
  const journal = readJournal(join(dir, "events.jsonl"));
  if (description.call_journal === false || (journal.records.length === 0 && journal.earlier.some((e) => e.type.startsWith("run.agent.")))) {
    throw new ConfigError(`run ${runId} ran without its call journal (CONCLAVE_CALL_JOURNAL=off: events.jsonl has no \`run.turn\` records), so its model calls cannot be replayed: it cannot be resumed. Start it again instead.`);
  }
  // The run's active time when it stopped: its last event's, or the status.json written after it (a heartbeat), whichever is later;
  // an interrupted run's is its cancel's.
  const elapsed = status?.meta?.elapsed_seconds;
  if (!interrupted && typeof elapsed === "number" && Number.isFinite(elapsed)) journal.horizon = Math.max(journal.horizon, Math.round(elapsed * 1000));
  // Its result.json and final/ (the answer its stop settled on) are moved aside while it goes on (readers see a run going,
  // a kill leaves it abandoned), and removed once its own are written.
  const aside = [join(dir, "result.interrupted.json"), join(dir, "final.interrupted")];
  if (interrupted) {
    for (const path of aside) rmSync(path, { recursive: true, force: true });
    renameSync(join(dir, "result.json"), aside[0]!);
    if (existsSync(join(dir, "final"))) renameSync(join(dir, "final"), aside[1]!);
  }
  const result = await runOnce<T>(rebuilt, {
    runDir: openRunDirectory(dir, freezeOption(options.env ?? process.env)),
    normalized: { ...normalized, settings },
    description,
    ...(status?.meta && { status }),
    ...(contextBase && { contextBase }),
    ...journal,
  });
  if (existsSync(join(dir, "result.json"))) for (const path of aside) rmSync(path, { recursive: true, force: true });
  return result;
}

/**
 * What events.jsonl holds: the call journal's records, the other events, the line count and the last `t`.
 * What a run wrote from its cancel (`run.cancel`: interrupted, stopped) to its next resume (`run.resumed`),
 * or to the end, is left out: its stop and finalization, and the calls the stop cut off, which the resumed run
 * does not reproduce; its horizon is the time of the cancel.
 */
function readJournal(path: string): { records: (TurnRecord & { t: number })[]; earlier: JournalEvent[]; lines: number; horizon: number; origin?: number } {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const records: (TurnRecord & { t: number })[] = [];
  const earlier: JournalEvent[] = [];
  let horizon = 0;
  let lines = 0;
  let stopping = false;
  let origin: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    // `lines` counts the file's lines (from_event is the index of the line the resumed run starts at), parsed or not.
    lines++;
    let event: JournalEvent;
    try {
      event = JSON.parse(line) as JournalEvent;
    } catch {
      continue; // a line torn by the kill: the turn it held is called again
    }
    if (event.type === "run.cancel") stopping = true;
    else if (event.type === "run.resumed") stopping = false;
    if (stopping) continue;
    if (typeof event.t === "number") horizon = Math.max(horizon, event.t);
    // An agent's event says what the run's clock read (`at`) at its `t`: the clock read `at - t` at the start.
    if (origin === undefined && typeof event.t === "number" && typeof event.at === "number") origin = event.at - event.t;
    if (event.type === "run.turn") records.push(event as unknown as TurnRecord & { t: number });
    else if (!NOT_REPRODUCED.has(event.type)) earlier.push(event);
  }
  return { records, earlier, lines, horizon, ...(origin !== undefined && { origin }) };
}

// Truncates events.jsonl after its last newline: what follows it is a line the kill cut short.
function cutTornLine(path: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path);
  if (text.length === 0 || text[text.length - 1] === 0x0a) return;
  truncateSync(path, text.lastIndexOf(0x0a) + 1);
}

// `<project>/runs/<run-id>`: the project whose context the run began with.
function projectOf(dir: string) {
  const runs = dirname(dir);
  if (basename(runs) !== "runs" || !existsSync(join(dirname(runs), "CONTEXT.md"))) return undefined;
  return openProject(dirname(runs));
}

function usesWorkspaces(dir: string): boolean {
  if (existsSync(join(dir, "base"))) return true;
  const agents = join(dir, "agents");
  if (!existsSync(agents)) return false;
  return readdirSync(agents).some((id) => existsSync(join(agents, id, "workspace")));
}
