import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextDigest } from "../../framework/runs/context-digest.ts";
import { conversationDigest } from "../../framework/session/conversation-digest.ts";
import type { SessionRecord, StoredMessage } from "../../framework/session/session-types.ts";
import { makeTempDir, readJson, removeDir, runCli, writeConfig, type CliOutcome } from "../support/cli-process.ts";

// The session directories (sessions/ also holds the .gitignore that keeps them out of the repository).
const sessionDirs = (dir: string) => readdirSync(dir).filter((n) => n !== ".gitignore");

// Two quick scripted agents.
const TEAM = "agents:\n  - id: alpha\n    backend: { type: scripted }\n  - id: beta\n    backend: { type: scripted }\ncoordination: { max_rounds: 2 }\n";

const logDirOf = (stdout: string) => /^LOG_DIR: (.+)$/m.exec(stdout)![1]!;
const messagesOf = (dir: string): StoredMessage[] => readFileSync(join(dir, "messages.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as StoredMessage);

let tmp: string;
let config: string;
let sessions: string;
const asks: CliOutcome[] = [];
beforeAll(async () => {
  tmp = makeTempDir("conclave-ask-continue-");
  config = writeConfig(tmp, "team.yaml", TEAM);
  sessions = join(tmp, ".conclave", "sessions");
  // A question, a follow-up with --continue and the task after it, then one naming the session.
  asks.push(await runCli(["ask", "Name three risks of HTTP/3", "--config", config, "--automation"], { cwd: tmp }));
  asks.push(await runCli(["ask", "--continue", "Which one is the cheapest to remove?", "--config", config, "--automation"], { cwd: tmp }));
  const id = sessionDirs(sessions)[0]!;
  asks.push(await runCli(["ask", "And the dearest?", "--continue", id, "--config", config, "--automation"], { cwd: tmp }));
}, 60_000);
afterAll(() => removeDir(tmp));

describe("conclave ask and sessions", () => {
  it("records the first ask's question and final answer as turn 1 of a new session, saying nothing of it", () => {
    const [first] = asks;
    expect(first!.code, first!.stderr).toBe(0);
    expect(first!.stderr).toBe("");
    const ids = sessionDirs(sessions);
    expect(ids).toHaveLength(1);
    const logDir = logDirOf(first!.stdout);
    const answer = readFileSync(readJson<{ final_answer_path: string }>(join(logDir, "result.json")).final_answer_path, "utf8").trim();
    const messages = messagesOf(join(sessions, ids[0]!));
    expect(messages.slice(0, 2).map((m) => [m.role, m.content])).toEqual([
      ["user", "Name three risks of HTTP/3"],
      ["assistant", answer],
    ]);
    const description = readJson<Record<string, unknown>>(join(logDir, "run_description.json"));
    expect(description.context_sha256).toBeUndefined();
  });

  it("tells a --continue run the earlier question and answer in its context, and adds the turn to the same session", () => {
    const [, second] = asks;
    expect(second!.code, second!.stderr).toBe(0);
    const id = sessionDirs(sessions)[0]!;
    expect(second!.stderr).toBe(`Session ${id} (turn 2)\n`);
    const messages = messagesOf(join(sessions, id));
    expect(messages[2]).toMatchObject({ role: "user", content: "Which one is the cheapest to remove?" });
    // The run's context is the digest of turn 1: its sha256 is in run_description.json.
    const digest = conversationDigest(messages.slice(0, 2), 8000);
    expect(digest).toBe(`# The conversation so far\n\n**The person:** Name three risks of HTTP/3\n\n**Conclave:** ${messages[1]!.content}`);
    const description = readJson<Record<string, unknown>>(join(logDirOf(second!.stdout), "run_description.json"));
    expect({ context_sha256: description.context_sha256, context_bytes: description.context_bytes }).toEqual(contextDigest(digest));
  });

  it("continues the session named after --continue, with turns, runs and spend in session.json", () => {
    const [, , third] = asks;
    expect(third!.code, third!.stderr).toBe(0);
    const id = sessionDirs(sessions)[0]!;
    expect(third!.stderr).toBe(`Session ${id} (turn 3)\n`);
    const messages = messagesOf(join(sessions, id));
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
    const description = readJson<Record<string, unknown>>(join(logDirOf(third!.stdout), "run_description.json"));
    expect(description.context_sha256).toBe(contextDigest(conversationDigest(messages.slice(0, 4), 8000)).context_sha256);

    const record = readJson<SessionRecord>(join(sessions, id, "session.json"));
    expect(record).toMatchObject({ id, project: null, title: "Name three risks of HTTP/3", turns: 3, compaction: null, updated_at: messages[5]!.at });
    const runIds = asks.map((a) => basename(logDirOf(a.stdout)));
    expect(record.runs.map((r) => [r.run_id, r.task, r.status, r.log_dir])).toEqual([
      [runIds[0], "Name three risks of HTTP/3", "completed", logDirOf(asks[0]!.stdout)],
      [runIds[1], "Which one is the cheapest to remove?", "completed", logDirOf(asks[1]!.stdout)],
      [runIds[2], "And the dearest?", "completed", logDirOf(asks[2]!.stdout)],
    ]);
    expect(record.runs[2]!.result).toMatchObject({ run_id: runIds[2], status: "completed", answer: messages[5]!.content });
    const calls = asks.map((a) => readJson<{ usage: { llm_calls: number } }>(join(logDirOf(a.stdout), "result.json")).usage.llm_calls);
    expect(record.usage.runs.calls).toBe(calls[0]! + calls[1]! + calls[2]!);
    expect(record.usage.conversation.calls).toBe(0);
  });

  it("lists the session with `conclave sessions` in the same directory", async () => {
    const { code, stdout } = await runCli(["sessions"], { cwd: tmp });
    expect(code).toBe(0);
    const id = sessionDirs(sessions)[0]!;
    expect(stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  ${id}  - {12}3  \\$0\\.0000  `, "m"));
    expect(stdout.endsWith("\n\n1 session in `.conclave/sessions/`, newest updated last.\n")).toBe(true);
  });
});

describe("conclave ask --runs-dir", () => {
  it("puts the session in sessions/ beside the runs directory, and --continue finds it there", async () => {
    const runs = join(tmp, "elsewhere", "runs");
    const first = await runCli(["ask", "Name one risk", "--config", config, "--runs-dir", runs, "--automation"], { cwd: tmp });
    expect(first.code, first.stderr).toBe(0);
    const [id] = sessionDirs(join(tmp, "elsewhere", "sessions"));
    const second = await runCli(["ask", "--continue", "Why?", "--config", config, "--runs-dir", runs, "--automation"], { cwd: tmp });
    expect(second.stderr).toBe(`Session ${id} (turn 2)\n`);
    expect(sessionDirs(sessions)).toHaveLength(1);
  });
});

describe("conclave ask --continue without a session to continue", () => {
  it("exits 1 before any run, saying there are none, or naming the ids there", async () => {
    const empty = makeTempDir("conclave-ask-continue-");
    try {
      const none = await runCli(["ask", "Why?", "--continue", "--config", config], { cwd: empty });
      expect(none).toMatchObject({ code: 1, stdout: "", stderr: `conclave: no sessions under ${join(empty, ".conclave", "sessions")} yet: start one with \`conclave chat\` (or \`conclave ask "<task>"\`).\n` });
      expect(existsSync(join(empty, ".conclave"))).toBe(false);
      const id = sessionDirs(sessions)[0]!;
      const unknown = await runCli(["ask", "Why?", "--continue", "20200101-000000-abcdef", "--config", config], { cwd: tmp });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe(`conclave: no session \`20200101-000000-abcdef\` under ${sessions}: the newest are \`${id}\`. Run \`conclave sessions\` to list them, or pass \`latest\`.\n`);
    } finally {
      removeDir(empty);
    }
  });
});
