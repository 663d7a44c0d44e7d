import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../framework/clock.ts";
import { initProject } from "../../framework/project/init-project.ts";
import { createQueryBoard } from "../../framework/runs/query-board.ts";
import { run } from "../../framework/runs/run.ts";
import { createToolbox } from "../../framework/workspace/create-toolbox.ts";
import { NOBODY_AVAILABLE } from "../../framework/workspace/tools/ask-human.ts";
import { terminalAskHuman } from "../../framework/runner/terminal-ask-human.ts";
import { tempDir } from "../project/temp-dir.ts";
import { makeTempDir, readJson, removeDir, REPO, writeConfig } from "../support/cli-process.ts";
import { startTmux, type TmuxSession } from "../support/pty-tmux.ts";
import { readRun, scripted } from "../support/scripted-run.ts";
import { copyDemoProject } from "../support/workflow-process.ts";

// The terminal's answer to agents' ask_human in workflows, over streams that say they are a terminal; the questions wait on a query board.
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true }) as unknown as NodeJS.ReadStream;
  const output = new PassThrough() as unknown as NodeJS.WriteStream;
  let shown = "";
  output.on("data", (chunk: Buffer) => (shown += String(chunk)));
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} in:\n${shown}`)), 5_000);
      const check = () => shown.includes(text) && (clearTimeout(timer), output.off("data", check), resolve());
      output.on("data", check);
      check();
    });
  return { input, output, shown: () => shown, waitFor, type: (text: string) => (input as unknown as PassThrough).write(text) };
}

describe("terminalAskHuman()", () => {
  it("posts each question on the board and asks one at a time, its context and options numbered: a number answers with that option's text, other text as typed", async () => {
    const t = terminal();
    const board = createQueryBoard({ timeoutMs: 600_000 });
    const ask = terminalAskHuman({ board, input: t.input, output: t.output });
    const first = ask("run-1", "alpha", { question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." });
    const second = ask("run-1", "beta", { question: "Which database?" });
    await t.waitFor("(a number or your own words) > ");
    expect(t.shown()).toBe("\nAn agent asks: Which port?\n  The proxy listens on 80.\n  1. 8080\n  2. 9090\n(a number or your own words) > ");
    expect(board.list()).toEqual([
      { type: "query", id: "q1", run_id: "run-1", agent: "alpha", question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." },
      { type: "query", id: "q2", run_id: "run-1", agent: "beta", question: "Which database?", options: null, context: null },
    ]);
    t.type("2\n");
    expect(await first).toBe("9090");
    await t.waitFor("Which database?\n> ");
    t.type("Postgres\n");
    expect(await second).toBe("Postgres");
    expect(board.list()).toEqual([]);
  });

  it("answers null at once when stdin is not a terminal, posting nothing, and when Enter is pressed", async () => {
    const t = terminal();
    const board = createQueryBoard({ timeoutMs: 600_000 });
    expect(await terminalAskHuman({ board, input: new PassThrough() as unknown as NodeJS.ReadStream, output: t.output })("run-1", null, { question: "Which port?" })).toBeNull();
    expect(board.list()).toEqual([]);
    expect(t.shown()).toBe("");
    const answer = terminalAskHuman({ board, input: t.input, output: t.output })("run-1", null, { question: "Which port?", options: ["8080"] });
    await t.waitFor("> ");
    t.type("\n");
    expect(await answer).toBeNull();
    expect(board.list()).toEqual([]);
  });

  it("takes a question nobody answers within timeouts.human off the terminal with one line; one withdrawn while it waits its turn is never shown", async () => {
    const t = terminal();
    const clock = new SimulatedClock({ auto: false });
    const board = createQueryBoard({ timeoutMs: 600_000, clock });
    const ask = terminalAskHuman({ board, input: t.input, output: t.output });
    const controller = new AbortController();
    const first = ask("run-1", "alpha", { question: "Which port?" });
    const second = ask("run-1", "beta", { question: "Which database?" }, controller.signal);
    await t.waitFor("Which port?\n> ");
    controller.abort();
    expect(await second).toBeNull();
    expect(board.list().map((q) => q.question)).toEqual(["Which port?"]);
    await clock.advance(600_000);
    expect(await first).toBeNull();
    await t.waitFor("No answer in 600 s: the agent will state its assumption.\n");
    expect(t.shown()).toBe("\nAn agent asks: Which port?\n> \r\nNo answer in 600 s: the agent will state its assumption.\n");
    // The terminal is free for the next question.
    const third = ask("run-1", "alpha", { question: "Which user?" });
    await t.waitFor("Which user?\n> ");
    t.type("admin\n");
    expect(await third).toBe("admin");
    expect(board.list()).toEqual([]);
  });

  it("withdraws the question when the turn's signal aborts", async () => {
    const t = terminal();
    const board = createQueryBoard({ timeoutMs: 600_000 });
    const controller = new AbortController();
    const answer = terminalAskHuman({ board, input: t.input, output: t.output })("run-1", "alpha", { question: "Which port?" }, controller.signal);
    await t.waitFor("> ");
    controller.abort();
    expect(await answer).toBeNull();
    expect(board.list()).toEqual([]);
    expect(t.shown()).toBe("\nAn agent asks: Which port?\n> \r\n");
  });

  it("tells the agent to state its assumption when nobody answers in time, and gives it the answer typed", async () => {
    const t = terminal();
    const clock = new SimulatedClock({ auto: false });
    const ask = terminalAskHuman({ board: createQueryBoard({ timeoutMs: 300, clock }), input: t.input, output: t.output });
    const tools = createToolbox({ root: tempDir(), writable: false, askHuman: (query, signal, asker) => ask("run-1", asker?.agent ?? null, query, signal) });
    const unanswered = tools.call("ask_human", { question: "Which port?" });
    await t.waitFor("Which port?\n> ");
    await clock.advance(300);
    expect(await unanswered).toEqual({ ok: true, content: NOBODY_AVAILABLE });
    await t.waitFor("No answer in 0.3 s: the agent will state its assumption.\n");
    const answered = tools.call("ask_human", { question: "Which database?", options: ["Postgres", "SQLite"] });
    await t.waitFor("(a number or your own words) > ");
    t.type("1\n");
    expect(await answered).toEqual({ ok: true, content: "Postgres" });
  });

  it("lets a run go on to completion when its agent's question at the terminal times out (a board of 0.3 s)", async () => {
    const t = terminal();
    const project = initProject("demo", tempDir());
    const config = {
      agents: [scripted("alpha", { latency_ms: 10, script: [{ tool: "ask_human", args: { question: "JWT or Session?", options: ["JWT", "Session"] } }, { answer: "Sessions: my assumption, stated." }] })],
    };
    const board = createQueryBoard({ timeoutMs: 300 });
    const ask = terminalAskHuman({ board, input: t.input, output: t.output });
    let runId = "";
    const result = await run({
      task: "Add login",
      project,
      config,
      env: {},
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "read" }],
      onStart: (started) => (runId = started.runId),
      askHuman: (query, signal, asker) => ask(runId, asker?.agent ?? null, query, signal),
    });
    expect(result).toMatchObject({ status: "completed", answer: "Sessions: my assumption, stated." });
    expect(t.shown()).toBe("\nAn agent asks: JWT or Session?\n  1. JWT\n  2. Session\n(a number or your own words) > \r\nNo answer in 0.3 s: the agent will state its assumption.\n");
    const calls = readRun(result.log_dir).events.filter((e) => e.type === "run.agent.tool_call");
    expect(calls.map((e) => [e.agentId, e.name, e.ok])).toEqual([["alpha", "ask_human", true]]);
  });
});

describe("an agent's question at a real terminal (tmux), in a workflow", () => {
  let tmp: string;
  let session: TmuxSession | undefined;
  beforeEach(() => {
    tmp = makeTempDir("conclave-terminal-ask-");
  });
  afterEach(async () => {
    await session?.kill();
    session = undefined;
    removeDir(tmp);
  });

  it("is taken off the terminal after coordination.timeouts.human with one line, and the run completes (exit 0)", async () => {
    const config = writeConfig(
      tmp,
      "asking.yaml",
      `agents:
  - id: alpha
    backend:
      type: scripted
      latency_ms: 10
      script:
        - { tool: ask_human, args: { question: "JWT or Session?", options: [JWT, Session] } }
        - { answer: "Sessions: my assumption, stated." }
coordination:
  timeouts: { run: 120, generation: 60, voting: 60, presentation: 60, call: 60, idle: 60, human: 0.3 }
`,
    );
    const project = copyDemoProject(tmp, "asking");
    session = startTmux([process.execPath, "--import", "tsx", "test/fixtures/workflows/one-execute.ts", "--project", project, "--config", config], { cwd: REPO, dir: tmp, env: { CONCLAVE_PROJECT: undefined } });
    const screen = await session.waitForScreen(/No answer in 0\.3 s: the agent will state its assumption\./, 40_000);
    expect(screen).toMatch(/An agent asks: JWT or Session\?\n {2}1\. JWT\n {2}2\. Session\n\(a number or your own words\) >\nNo answer in 0\.3 s: the agent will state its assumption\.\n/);
    expect(await session.waitForExit(40_000)).toBe(0);
    const [id] = readdirSync(join(project, "runs")).filter((n) => n !== "index.json" && n !== "steps" && !n.startsWith("."));
    expect(readJson<{ results: { status: string } }>(join(project, "runs", id!, "status.json")).results.status).toBe("completed");
    expect(readFileSync(join(project, "runs", id!, "final", "alpha", "answer.txt"), "utf8")).toBe("Sessions: my assumption, stated.\n");
  }, 60_000);
});
