import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { appendMessage, createStoredSession, forkStoredSession, openStoredSession, saveRecord } from "../../framework/session/session-store.ts";
import { sessionsDirFor } from "../../framework/session/sessions-dir-for.ts";
import type { StoredMessage } from "../../framework/session/session-types.ts";
import { makeTempDir, removeDir, REPO } from "../support/cli-process.ts";

let tmp: string;
let dir: string;
beforeEach(() => {
  tmp = makeTempDir("conclave-sessions-");
  dir = join(tmp, "sessions");
});
afterEach(() => removeDir(tmp));

const message = (role: StoredMessage["role"], content: string, at = "2026-12-02T09:00:00.000Z"): StoredMessage => ({ role, content, at });

describe("sessionsDirFor()", () => {
  it("puts a project's sessions in <project>/sessions and others in .conclave/sessions", () => {
    expect(sessionsDirFor({ projectDir: "projects/demo", cwd: "/work" })).toBe("/work/projects/demo/sessions");
    expect(sessionsDirFor({ cwd: "/work" })).toBe("/work/.conclave/sessions");
    expect(sessionsDirFor({ sessionsDir: "elsewhere", cwd: "/work" })).toBe("/work/elsewhere");
  });
});

describe("createStoredSession()", () => {
  it("writes session.json and an empty messages.jsonl under a time-sortable id", () => {
    const clock = new SimulatedClock({ start: Date.parse("2026-12-02T09:15:00Z") });
    const { id, dir: sessionDir, record } = createStoredSession(dir, { project: null, title: "WebSocket support", clock });
    expect(id).toMatch(/^20261202-091500-[0-9a-f]{6}$/);
    expect(sessionDir).toBe(join(dir, id));
    expect(readdirSync(sessionDir).sort()).toEqual(["messages.jsonl", "session.json"]);
    expect(readFileSync(join(sessionDir, "messages.jsonl"), "utf8")).toBe("");
    expect(JSON.parse(readFileSync(join(sessionDir, "session.json"), "utf8"))).toEqual(record);
    expect(record).toEqual({
      id,
      project: null,
      title: "WebSocket support",
      created_at: "2026-12-02T09:15:00.000Z",
      updated_at: "2026-12-02T09:15:00.000Z",
      turns: 0,
      runs: [],
      usage: {
        conversation: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, calls: 0 },
        runs: { input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, calls: 0 },
      },
      compaction: null,
    });
  });

  it("gives sessions created in the same second distinct ids", () => {
    const clock = new SimulatedClock({ start: Date.parse("2026-12-02T09:15:00Z") });
    const ids = new Set(Array.from({ length: 30 }, () => createStoredSession(dir, { project: null, title: "t", clock }).id));
    expect(ids.size).toBe(30);
  });
});

describe("appendMessage() and openStoredSession()", () => {
  it("reads back every message appended, in order, and the record saved last", () => {
    const { id, dir: sessionDir, record } = createStoredSession(dir, { project: "/p", title: "t" });
    appendMessage(sessionDir, message("user", "Add WebSocket support"));
    appendMessage(sessionDir, { ...message("assistant", ""), tool_calls: [{ id: "c1", name: "launch_run", arguments: { task: "x" }, rawArguments: '{"task":"x"}' }] });
    appendMessage(sessionDir, { ...message("tool", '{"run_id":"r1"}'), tool_call_id: "c1", name: "launch_run" });
    saveRecord(sessionDir, { ...record, turns: 1 });
    const opened = openStoredSession(dir, id);
    expect(opened.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(opened.messages[1]!.tool_calls![0]!.name).toBe("launch_run");
    expect(opened.record.turns).toBe(1);
    expect(opened.torn).toBe(false);
  });

  it("skips a last line torn by kill -9 and keeps everything before it", () => {
    const { id, dir: sessionDir } = createStoredSession(dir, { project: null, title: "t" });
    appendMessage(sessionDir, message("user", "one"));
    appendMessage(sessionDir, message("assistant", "two"));
    appendFileSync(join(sessionDir, "messages.jsonl"), '{"role":"user","content":"thr');
    const opened = openStoredSession(dir, id);
    expect(opened.messages.map((m) => m.content)).toEqual(["one", "two"]);
    expect(opened.torn).toBe(true);
  });

  it("cuts a torn last line off before the next append, so the new message is whole", () => {
    const { id, dir: sessionDir } = createStoredSession(dir, { project: null, title: "t" });
    appendMessage(sessionDir, message("user", "one"));
    appendFileSync(join(sessionDir, "messages.jsonl"), '{"role":"assis');
    appendMessage(sessionDir, message("user", "again"));
    expect(readFileSync(join(sessionDir, "messages.jsonl"), "utf8")).toBe(
      `${JSON.stringify(message("user", "one"))}\n${JSON.stringify(message("user", "again"))}\n`,
    );
    expect(openStoredSession(dir, id).messages.map((m) => m.content)).toEqual(["one", "again"]);
  });

  it("names the file and line of a broken line that is not the last", () => {
    const { id, dir: sessionDir } = createStoredSession(dir, { project: null, title: "t" });
    appendMessage(sessionDir, message("user", "one"));
    appendFileSync(join(sessionDir, "messages.jsonl"), "not json\n");
    appendMessage(sessionDir, message("user", "three"));
    const file = join(sessionDir, "messages.jsonl");
    expect(() => openStoredSession(dir, id)).toThrow(`${file}: line 2 is not JSON (`);
    writeFileSync(file, `${JSON.stringify(message("user", "one"))}\n{"role":"robot","content":"x","at":"now"}\n`);
    expect(() => openStoredSession(dir, id)).toThrow(`${file}: line 2 is not a message: \`role\`: Invalid option: expected one of "user"|"assistant"|"tool". Repair or remove that line to read the session.`);
  });

  it("opens the session with the newest updated_at as latest", () => {
    const a = createStoredSession(dir, { project: null, title: "a" });
    const b = createStoredSession(dir, { project: null, title: "b" });
    saveRecord(a.dir, { ...a.record, updated_at: "2099-01-01T00:00:00.000Z" });
    expect(openStoredSession(dir, "latest").id).toBe(a.id);
    saveRecord(b.dir, { ...b.record, updated_at: "2099-01-02T00:00:00.000Z" });
    expect(openStoredSession(dir, "latest").id).toBe(b.id);
  });

  it("says there are none, or names the directory and the newest ids, when the session is not there", () => {
    expect(() => openStoredSession(dir, "latest")).toThrow(`no sessions under ${dir} yet: start one with \`conclave chat\` (or \`conclave ask "<task>"\`).`);
    const ids = Array.from({ length: 4 }, () => createStoredSession(dir, { project: null, title: "t" }).id).sort();
    expect(() => openStoredSession(dir, "20200101-000000-abcdef")).toThrow(
      `no session \`20200101-000000-abcdef\` under ${dir}: the newest are \`${ids[3]}\`, \`${ids[2]}\`, \`${ids[1]}\` (of 4). Run \`conclave sessions\` to list them, or pass \`latest\`.`,
    );
  });

  it("names session.json and the field when the record is broken", () => {
    const { id, dir: sessionDir } = createStoredSession(dir, { project: null, title: "t" });
    writeFileSync(join(sessionDir, "session.json"), JSON.stringify({ id, project: null, title: "t", created_at: "", updated_at: "", turns: "one", runs: [], usage: {}, compaction: null }));
    expect(() => openStoredSession(dir, id)).toThrow(`${join(sessionDir, "session.json")}: \`turns\`: Invalid input: expected number, received string (and 2 more problems). Restore the file, or move the session directory away.`);
  });
});

describe("a session written by a process killed with SIGKILL", () => {
  it("reads back every message but, at most, the one being written, and takes the next append", async () => {
    const { id, dir: sessionDir } = createStoredSession(dir, { project: null, title: "t" });
    const file = join(sessionDir, "messages.jsonl");
    const script = join(tmp, "writer.ts");
    // Appends 200 KB messages until killed.
    writeFileSync(script, `import { appendMessage } from ${JSON.stringify(join(REPO, "framework/session/session-store.ts"))};\nfor (let i = 0; ; i++) appendMessage(${JSON.stringify(sessionDir)}, { role: "user", content: String(i) + " " + "x".repeat(200_000), at: new Date().toISOString() });\n`);
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: REPO, stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      const watcher = watch(file, () => {
        if (statSync(file).size < 20 * 200_000) return;
        watcher.close();
        resolve();
      });
      child.on("exit", () => reject(new Error("the writer exited before it was killed")));
    });
    child.kill("SIGKILL");
    await exited;
    const { messages } = openStoredSession(dir, id);
    expect(messages.length).toBeGreaterThanOrEqual(20);
    messages.forEach((m, i) => expect(m.content.startsWith(`${i} x`) && m.content.length === String(i).length + 200_001).toBe(true));
    appendMessage(sessionDir, message("user", "after the kill"));
    expect(openStoredSession(dir, id).messages.at(-1)!.content).toBe("after the kill");
  }, 30_000);
});

describe("forkStoredSession()", () => {
  it("copies the messages and record under a new id and leaves the original byte for byte", () => {
    const original = createStoredSession(dir, { project: "/p", title: "t" });
    appendMessage(original.dir, message("user", "one"));
    appendMessage(original.dir, message("assistant", "two"));
    saveRecord(original.dir, { ...original.record, turns: 1 });
    const before = readdirSync(original.dir).map((f) => [f, readFileSync(join(original.dir, f))] as const);

    const fork = forkStoredSession(dir, original.id);
    appendMessage(fork.dir, message("user", "only in the fork"));
    saveRecord(fork.dir, { ...fork.record, turns: 2 });

    expect(fork.id).not.toBe(original.id);
    expect(fork.record).toMatchObject({ id: fork.id, forked_from: original.id, turns: 1, project: "/p", title: "t" });
    for (const [f, bytes] of before) expect(readFileSync(join(original.dir, f)).equals(bytes), f).toBe(true);
    expect(readdirSync(original.dir).sort()).toEqual(["messages.jsonl", "session.json"]);
    expect(openStoredSession(dir, fork.id).messages.map((m) => m.content)).toEqual(["one", "two", "only in the fork"]);
  });
});
