import { hostname } from "node:os";
import { isProcessAlive } from "../process-alive.ts";

/** The process that owns a run: its pid and host, written into run_description.json and status.json `meta`. */
export interface RunOwner {
  pid: number;
  host: string;
}

/** What a reader knows of a run that has not finished: who owns it and when it last wrote its status. */
export interface RunEvidence {
  /** The owner's pid, when the files say (runs written before pid/host were recorded have none). */
  pid?: unknown;
  host?: unknown;
  /** The wall-clock ISO time of the owner's last write: status.json `meta.heartbeat_at` (or `last_updated`), else run_description.json `started_at`. */
  heartbeatAt?: unknown;
}

/** A reader's judgement of a run that has not finished. */
export type RunLiveness = { alive: true } | { alive: false; reason: string };

/** status.json is rewritten every 2 s while a run goes (docs/architecture.md §4). */
export const HEARTBEAT_EVERY_MS = 2_000;
/** A run on another host (or one that recorded no pid) is abandoned once its heartbeat is this old: 15 missed writes. */
export const ABANDONED_AFTER_MS = 30_000;
/** A run on this host whose pid is alive is still taken for abandoned past this: the pid was reused, or the process hangs. */
export const PID_REUSED_AFTER_MS = 10 * 60_000;

/** This process as the owner of a run. */
export function currentRunOwner(): RunOwner {
  return { pid: process.pid, host: hostname() };
}

/**
 * Whether the process behind an unfinished run is still there (docs/architecture.md §8), the one judgement
 * every reader shares (`conclave status`, `conclave runs`). On the owner's host its pid decides:
 * a pid that is gone means abandoned at once. Elsewhere, or for a run that recorded no pid, a
 * heartbeat older than 30 s does. Readers only report this; they never rewrite the run's files.
 *
 * @example
 * const s = readJson("status.json");
 * runLiveness({ pid: s.meta.pid, host: s.meta.host, heartbeatAt: s.meta.heartbeat_at });
 * // { alive: false, reason: "its process (pid 4242 on devbox) is gone" }
 */
export function runLiveness(evidence: RunEvidence, options: { now?: number; host?: string; isAlive?: (pid: number) => boolean } = {}): RunLiveness {
  const now = options.now ?? Date.now();
  const beat = typeof evidence.heartbeatAt === "string" ? Date.parse(evidence.heartbeatAt) : Number.NaN;
  const age = Number.isFinite(beat) ? Math.max(0, now - beat) : Number.POSITIVE_INFINITY;
  const seconds = Number.isFinite(age) ? `${Math.round(age / 1000)} s` : "ever";
  const pid = evidence.pid;
  if (typeof pid === "number" && Number.isInteger(pid) && pid > 0 && evidence.host === (options.host ?? hostname())) {
    if (!(options.isAlive ?? isProcessAlive)(pid)) return { alive: false, reason: `its process (pid ${pid} on ${evidence.host}) is gone` };
    if (age > PID_REUSED_AFTER_MS) return { alive: false, reason: `no heartbeat for ${seconds}, though pid ${pid} on ${evidence.host} exists (reused, or hung)` };
    return { alive: true };
  }
  if (age > ABANDONED_AFTER_MS) return { alive: false, reason: `no heartbeat for ${seconds} (a run rewrites status.json every ${HEARTBEAT_EVERY_MS / 1000} s)` };
  return { alive: true };
}

/**
 * The evidence a run's files give: status.json's `meta` (its heartbeat, or `last_updated` in a
 * status.json written before heartbeats), else run_description.json (its start).
 *
 * @example
 * runLiveness(runEvidence(undefined, readJson("run_description.json"))); // a run with no status.json yet
 */
export function runEvidence(status: { meta?: Partial<Record<string, unknown>> } | undefined, description: Record<string, unknown> | undefined): RunEvidence {
  const meta = status?.meta;
  if (meta && typeof meta === "object") return { pid: meta.pid, host: meta.host, heartbeatAt: meta.heartbeat_at ?? meta.last_updated };
  return { pid: description?.pid, host: description?.host, heartbeatAt: description?.started_at };
}
