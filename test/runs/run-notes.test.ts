import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { ConfigError } from "../../framework/errors.ts";
import { createRunNotes, noteReader } from "../../framework/runs/run-notes.ts";
import { run } from "../../framework/runs/run.ts";
import { startFakeLlmServer, type FakeLlmServer } from "../support/fake-llm-server.ts";
import { readRun } from "../support/scripted-run.ts";

describe("createRunNotes()", () => {
  it("keeps the notes told, oldest first, and tells each listener as they come", () => {
    const notes = createRunNotes();
    const heard: string[] = [];
    notes.tell("Use Socket.IO.");
    const off = notes.onTell((text) => heard.push(text));
    notes.tell("  Keep the REST routes.  ");
    off();
    notes.tell("Add a test.");
    expect(notes.told()).toEqual(["Use Socket.IO.", "Keep the REST routes.", "Add a test."]);
    expect(heard).toEqual(["Keep the REST routes."]);
  });

  it("refuses an empty note, saying what it received", () => {
    const notes = createRunNotes();
    expect(() => notes.tell("  ")).toThrow(ConfigError);
    expect(() => notes.tell("  ")).toThrow('a note to a run must be non-empty text; received "  ". Say what the agents should know.');
  });
});

describe("noteReader()", () => {
  it("gives each agent every note told since its previous turn, each once", () => {
    const notes = createRunNotes();
    notes.tell("first");
    const take = noteReader(notes);
    expect(take("alpha")).toEqual([{ n: 1, text: "first" }]);
    notes.tell("second");
    notes.tell("third");
    expect(take("alpha")).toEqual([{ n: 2, text: "second" }, { n: 3, text: "third" }]);
    expect(take("alpha")).toEqual([]);
    expect(take("beta")).toEqual([{ n: 1, text: "first" }, { n: 2, text: "second" }, { n: 3, text: "third" }]);
  });
});

describe("run() with notes from the person", () => {
  let server: FakeLlmServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(async () => {
    await server.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("puts a note told while the agents work into each agent's next prompt, once, and journals it", async () => {
    const agent = (id: string) => ({ id, system: `You are ${id}.`, backend: { type: "openai" as const, model: "fake-model", base_url: `${server.url}/v1` } });
    const config: ConfigInput = {
      agents: [agent("alpha"), agent("beta")],
      coordination: { voting: "lenient", timeouts: { run: 60, generation: 20, voting: 20, presentation: 20, call: 20, idle: 10 } },
    };
    const answer = (content: string) => ({ toolCalls: [{ name: "new_answer", arguments: JSON.stringify({ content }) }], delayMs: 50 });
    const vote = { toolCalls: [{ name: "vote", arguments: '{"answer":"A","reason":"clear"}' }], delayMs: 50 };
    server.enqueue(answer("Use raw WebSockets."), answer("Use server-sent events."), vote, vote, { text: "Final: Socket.IO behind the API." });
    const notes = createRunNotes();
    const runsDir = mkdtempSync(join(tmpdir(), "conclave-notes-"));
    dirs.push(runsDir);
    // The first note comes once an agent has answered (both generation prompts are out); the second once one has voted.
    const result = await run({
      task: "Add WebSocket support to the API server",
      config,
      env: { OPENAI_API_KEY: "k" },
      runsDir,
      refinement: false,
      notes,
      onEvent: (event) => {
        if (event.type === "run.agent.answered" && notes.told().length === 0) notes.tell("Use Socket.IO instead of raw WebSockets.");
        if (event.type === "run.agent.voted" && notes.told().length === 1) notes.tell("Keep the REST routes as they are.");
      },
    });
    expect(result).toMatchObject({ status: "completed", winner: "alpha", answer: "Final: Socket.IO behind the API." });

    // What each call sent: the agent (from its system prompt), the phase (from the last message) and the notes in it.
    const calls = server.requests.map((r) => {
      const messages = (r.body as { messages: { role: string; content: string }[] }).messages;
      const agentId = /You are (\w+)\./.exec(messages[0]!.content)![1];
      const last = messages.at(-1)!.content;
      const phase = last.includes("Write the final answer") ? "presentation" : last.includes("# Answers so far") ? "voting" : "generation";
      const noteMessages = messages.filter((m) => m.content.includes("# A note from the person"));
      return { agentId, phase, notes: noteMessages.map((m) => m.content), noteAt: messages.findIndex((m) => m.content.includes("# A note from the person")) };
    });
    const first = "# A note from the person\n\nUse Socket.IO instead of raw WebSockets.";
    const second = "# A note from the person\n\nKeep the REST routes as they are.";
    expect(calls.map((c) => [c.agentId, c.phase, c.notes]).sort()).toEqual(
      [
        ["alpha", "generation", []],
        ["beta", "generation", []],
        ["alpha", "voting", [first]],
        ["beta", "voting", [first]],
        ["alpha", "presentation", [second]],
      ].sort(),
    );
    // After the system prompt and the stable task block, before the round's instructions.
    for (const c of calls.filter((c) => c.notes.length)) expect(c.noteAt).toBe(2);

    const events = readRun(result.log_dir).events;
    expect(events.filter((e) => e.type === "run.note").map((e) => [e.n, e.text])).toEqual([
      [1, "Use Socket.IO instead of raw WebSockets."],
      [2, "Keep the REST routes as they are."],
    ]);
    expect(events.filter((e) => e.type === "run.agent.note").map((e) => [e.agentId, e.phase, e.notes]).sort()).toEqual(
      [
        ["alpha", "voting", [1]],
        ["beta", "voting", [1]],
        ["alpha", "presentation", [2]],
      ].sort(),
    );
  });
});
