import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../atomic-write.ts";
import type { RunContext } from "../coordination/run-context.ts";
import type { StatusJson } from "./status-json.ts";

/** One line of events.jsonl: `t` is milliseconds since the run started, on the run's clock. */
export interface JournalEvent {
  t: number;
  type: string;
  [field: string]: unknown;
}

/**
 * A run's directory (docs/architecture.md §4, a contract): run_description.json, status.json, events.jsonl,
 * agents/<id>/answer-<k>.md and vote-<k>.json, final/<winner>/answer.txt, result.json.
 * Every file another process may read is replaced atomically; events.jsonl is append-only.
 */
export interface RunDirectory {
  runId: string;
  dir: string;
  writeDescription(description: Record<string, unknown>): void;
  journal(event: JournalEvent): void;
  /** Writes the agents' new answers and votes, the pending journal lines, then status.json. */
  sync(context: RunContext, status: StatusJson): void;
  /** final/<winner>/answer.txt; returns its path, or null when there is no final answer. */
  writeFinalAnswer(context: RunContext): string | null;
  writeResult(result: unknown): void;
  finalAnswerPath(winner: string | undefined): string | null;
}

/** A run id unique across parallel processes: UTC time to the second plus 48 random bits. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(6).toString("hex")}`;
}

/** Makes a new, empty run directory under `runsDir`. */
export function createRunDirectory(runsDir: string): RunDirectory {
  const root = resolve(runsDir);
  mkdirSync(root, { recursive: true });
  let runId = newRunId();
  let dir = join(root, runId);
  // mkdir without `recursive` fails on an existing directory, so two processes never share one.
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 5) throw error;
      runId = newRunId();
      dir = join(root, runId);
    }
  }
  const eventsPath = join(dir, "events.jsonl");
  writeFileSync(eventsPath, "");
  let lines: string[] = [];
  const written = { answers: 0, votes: 0 };
  const agentDirs = new Set<string>();
  const agentDir = (id: string) => {
    const d = join(dir, "agents", id);
    if (!agentDirs.has(id)) {
      mkdirSync(d, { recursive: true });
      agentDirs.add(id);
    }
    return d;
  };
  const finalAnswerPath = (winner: string | undefined) => (winner ? join(dir, "final", winner, "answer.txt") : null);

  return {
    runId,
    dir,
    writeDescription: (description) => writeJsonAtomic(join(dir, "run_description.json"), description),
    journal(event) {
      lines.push(JSON.stringify(event));
    },
    sync(context, status) {
      for (const a of context.answers.slice(written.answers)) {
        writeFileAtomic(join(agentDir(a.agentId), `answer-${a.k}.md`), `${a.content.trimEnd()}\n`);
      }
      written.answers = context.answers.length;
      for (const v of context.votes.slice(written.votes)) {
        writeJsonAtomic(join(agentDir(v.voter), `vote-${v.k}.json`), { round: v.round, label: v.label, answer: v.target, reason: v.reason });
      }
      written.votes = context.votes.length;
      if (lines.length) {
        appendFileSync(eventsPath, `${lines.join("\n")}\n`);
        lines = [];
      }
      writeJsonAtomic(join(dir, "status.json"), status);
    },
    writeFinalAnswer(context) {
      const path = finalAnswerPath(context.winner);
      if (!path || context.finalAnswer === undefined) return null;
      mkdirSync(join(dir, "final", context.winner!), { recursive: true });
      writeFileAtomic(path, `${context.finalAnswer.trimEnd()}\n`);
      return path;
    },
    writeResult: (result) => writeJsonAtomic(join(dir, "result.json"), result),
    finalAnswerPath,
  };
}
