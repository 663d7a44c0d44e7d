import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../framework/clock.ts";
import type { ChatMessage, ToolSpec } from "../../../framework/models/model.ts";
import { MAX_CALLS, orchestratorPolicy, type PolicyAction } from "../../../framework/models/scripted/orchestrator-policy.ts";
import { launchRunOptions, launchRunResult, parseLaunchRun } from "../../../framework/runs/launch-run.ts";
import { run } from "../../../framework/runs/run.ts";
import { REPO } from "../../support/cli-process.ts";

const OFFLINE = join(REPO, "configs", "offline.yaml");
const dirs: string[] = [];
const cleanRuns = () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
};

// The requests are shaped as the session engine sends them: the system text with its sections,
// the messages verbatim, and each tool's result in the format of the shared design.

const TOOLS: ToolSpec[] = ["launch_run", "run_status", "read_run", "cancel_run", "analyze_run", "tell_run", "read_file", "list_files", "update_context", "deliver"].map((name) => ({
  name,
  description: name,
  parameters: { type: "object", properties: {} },
}));

const PROJECT = `You are the orchestrator of Conclave.

# Project: demo

## CONTEXT.md

# Demo API

## State
- The REST server works; WebSocket support is planned.
- Nothing is deployed yet.

## Files the agents see (filepaths.json)

- src/server.ts: the API server

## Deliverables (deliverables/)

(none yet)

# Runs of this session

(none yet)`;

const NO_PROJECT = "You are the orchestrator of Conclave.\n\n# Project\n\n(none: this session has no project)";

const CONTEXT_MD = "# Demo API\n\n## State\n- The REST server works; WebSocket support is planned.\n- Nothing is deployed yet.\n\n## Decisions\n- TypeScript.";
const PLAN = "## Add WebSocket support\n\nWork backwards from how the result will be checked.\n\n1. **Write the handler module**\n2. Add the socket routes to the server\n3. Write the tests\n\n— alpha";

type Action = Extract<PolicyAction, { tool: string }>;

// analyze_run's findings for a run that circled (compactAnalysis()'s shape).
const CIRCLING_ANALYSIS = {
  findings: [{ kind: "circling", severity: "critical", summary: "4 voting rounds (2, 3, 4, 5) brought only near-repeats, by alpha and gamma.", agents: ["alpha", "gamma"], rounds: [2, 3, 4, 5] }],
  recommendations: [
    { change: "coordination.max_rounds: 2", why: "Rounds 2–5 only reworded answers." },
    { change: "budget.usd: 0.004", why: "The budget was nearly spent." },
    { change: "--agents alpha,beta", why: "gamma repeated alpha." },
  ],
  launch_run: { coordination_overrides: { max_rounds: 2, timeouts: { idle: 90 } }, agents: ["alpha", "beta"] },
  needs_write_config: ["budget.usd: 0.004"],
};

/** A stand-in for the engine's tools: launch_run completes with a numbered run id, the others answer from `state`. */
function engine(options: { fail?: (args: Record<string, unknown>) => string | undefined; analysis?: Record<string, unknown> } = {}) {
  const runs: { run_id: string; task: string; status: string }[] = [];
  return {
    runs,
    result(action: Action): string {
      const args = action.args;
      switch (action.tool) {
        case "launch_run": {
          const refused = options.fail?.(args);
          if (refused?.startsWith("Error:")) return refused;
          const run_id = `20261202-0100${runs.length}0-abc12${runs.length}`;
          const status = refused ?? "completed";
          runs.push({ run_id, task: String(args.task), status });
          const answer = status !== "completed" ? "Half of the handler module." : args.planning_mode ? PLAN : `Done: ${String(args.task).split("\n")[0]}`;
          return JSON.stringify({ run_id, status, ...(status !== "completed" && { status_reason: "the run's timeout (600 s) passed" }), winner: "alpha", winner_reason: "2 of 3 votes", answer, files_changed: [], conflicts: [], cost_usd: 0, elapsed_seconds: 3, log_dir: `/p/runs/${run_id}` });
        }
        case "run_status":
          return JSON.stringify({ runs: runs.map((r) => ({ ...r, phase: "finalization", round: 2, cost_usd: 0, elapsed_seconds: 3 })) });
        case "read_file":
          return args.path === "CONTEXT.md" ? CONTEXT_MD : `Error: read_file \`path\`: ${String(args.path)} does not exist in the project; list_files shows what does.`;
        case "read_run":
          return JSON.stringify({
            run_id: args.run_id,
            status: "completed",
            winner: "beta",
            winner_reason: "2 of 3 votes",
            answer: "Use Socket.IO.",
            answers: [
              { label: "A", agent: "alpha", round: 1, content: "Use raw WebSockets." },
              { label: "B", agent: "beta", round: 1, content: "Use Socket.IO." },
            ],
            votes: [],
            cost_by_agent: {},
            log_dir: "/p/runs/x",
          });
        case "analyze_run": {
          const target = runs.find((r) => r.run_id === args.run_id) ?? runs.at(-1);
          return target ? JSON.stringify({ run_id: target.run_id, task: target.task, status: "completed", winner: "beta", rounds: 6, ...(options.analysis ?? CIRCLING_ANALYSIS) }) : "Error: analyze_run: this session has no run yet, so there is nothing to analyze.";
        }
        default:
          return `Error: there is no tool \`${action.tool}\``;
      }
    },
  };
}

/** One person turn played as the engine plays it: call, result, call… until a text reply (at most 12 calls). */
function turn(person: string, prior: ChatMessage[], tools: ReturnType<typeof engine>, system = PROJECT) {
  const messages: ChatMessage[] = [...prior, { role: "user", content: person }];
  const calls: Action[] = [];
  for (let i = 0; i < 12; i++) {
    const action = orchestratorPolicy({ system, messages, tools: TOOLS });
    if ("text" in action) {
      messages.push({ role: "assistant", content: action.text });
      return { calls, text: action.text, messages };
    }
    const id = `call_${messages.length}`;
    calls.push(action);
    messages.push({ role: "assistant", content: "", toolCalls: [{ id, name: action.tool, arguments: action.args, rawArguments: JSON.stringify(action.args) }] });
    messages.push({ role: "tool", toolCallId: id, content: tools.result(action) });
  }
  throw new Error("no text reply within 12 calls");
}

const PLAN_REPLY = `The team recommends 3 steps:
1. Write the handler module
2. Add the socket routes to the server
3. Write the tests
I started with step 1 (Write the handler module): done and verified. Say "continue" for step 2.`;

describe("orchestratorPolicy()", () => {
  it("plans a task, executes step 1 writing deliverables/, verifies it with one agent, and replies with the plan", () => {
    const { calls, text } = turn("I need to add WebSocket support to the API server.", [], engine());
    expect(calls).toEqual([
      { tool: "launch_run", args: { task: "I need to add WebSocket support to the API server.", agent_mode: "multi", planning_mode: true } },
      {
        tool: "launch_run",
        args: {
          task: "Step 1 of 3: Write the handler module",
          context: "The plan:\n1. Write the handler module\n2. Add the socket routes to the server\n3. Write the tests\n\nDo step 1 only.",
          context_paths: [{ path: "deliverables", permission: "write" }],
        },
      },
      {
        tool: "launch_run",
        args: {
          task: 'Verify that step 1 "Write the handler module" is done: check the project against it and say what is missing, if anything.',
          agent_mode: "single",
          refinement: false,
          context: "What the run for step 1 (20261202-010010-abc121) answered:\n\nDone: Step 1 of 3: Write the handler module",
          context_paths: [{ path: "deliverables", permission: "read" }],
        },
      },
    ]);
    expect(text).toBe(PLAN_REPLY);
  });

  it("gives no context_paths when the system shows no deliverables, and copes with a system without sections", () => {
    for (const system of [NO_PROJECT, ""]) {
      const { calls, text } = turn("Add a health check endpoint.", [], engine(), system);
      expect(calls.map((c) => c.args.context_paths)).toEqual([undefined, undefined, undefined]);
      expect(text).toMatch(/^The team recommends 3 steps:/);
    }
  });

  it("answers a question about state from run_status and CONTEXT.md, launching nothing", () => {
    const tools = engine();
    const planned = turn("I need to add WebSocket support to the API server.", [], tools);
    const { calls, text } = turn("What's the current status?", planned.messages, tools);
    expect(calls).toEqual([
      { tool: "run_status", args: {} },
      { tool: "read_file", args: { path: "CONTEXT.md" } },
    ]);
    expect(text).toBe(
      'CONTEXT.md says: The REST server works; WebSocket support is planned. Nothing is deployed yet.\nThis session has 3 runs; the last, "Verify that step 1 "Write the handler module" is done: check the project agains…", is completed.',
    );
    expect(turn("How far along are we?", [], engine()).text).toBe(
      "CONTEXT.md says: The REST server works; WebSocket support is planned. Nothing is deployed yet.\nThis session has no runs yet.",
    );
  });

  it("relaunches the remaining steps with the person's new constraint in the context", () => {
    const tools = engine();
    const planned = turn("I need to add WebSocket support to the API server.", [], tools);
    const { calls, text } = turn("Actually, can we use Socket.IO instead?", planned.messages, tools);
    expect(calls).toEqual([
      {
        tool: "launch_run",
        args: {
          task: "Carry out the remaining steps of the plan:\n2. Add the socket routes to the server\n3. Write the tests",
          context: "Constraint from the person: Actually, can we use Socket.IO instead?",
          context_paths: [{ path: "deliverables", permission: "write" }],
        },
      },
    ]);
    expect(text).toBe(
      'I relaunched the remaining work (steps 2–3) with your constraint ("Actually, can we use Socket.IO instead?"): completed, winner alpha (2 of 3 votes). Done: Carry out the remaining steps of the plan: Say "continue" to verify step 2.',
    );
  });

  it("runs a quick check with one agent and no refinement, on the last run's subject", () => {
    const tools = engine();
    const planned = turn("I need to add WebSocket support to the API server.", [], tools);
    const { calls, text } = turn("Quick single-agent check is fine.", planned.messages, tools);
    expect(calls).toEqual([
      {
        tool: "launch_run",
        args: {
          task: "Check this work: Step 1 of 3: Write the handler module",
          context: 'The person asked: "Quick single-agent check is fine."\n\nThe last run\'s answer:\n\nDone: Verify that step 1 "Write the handler module" is done: check the project against it and say what is missing, if anything.',
          agent_mode: "single",
          refinement: false,
        },
      },
    ]);
    expect(text).toMatch(/^A single agent checked it: completed, winner alpha \(2 of 3 votes\)\. Done: Check this work: /);
  });

  it("makes a quick check the single-agent verification of a step a relaunch executed, so the recap counts it", () => {
    const tools = engine();
    const planned = turn("I need to add WebSocket support to the API server.", [], tools);
    const relaunched = turn("Actually, can we use Socket.IO instead?", planned.messages, tools);
    const quick = turn("Quick single-agent check is fine.", relaunched.messages, tools);
    expect(quick.calls).toEqual([
      {
        tool: "launch_run",
        args: {
          task: 'Verify that step 2 "Add the socket routes to the server" is done: check the project against it and say what is missing, if anything.',
          agent_mode: "single",
          refinement: false,
          context: "What the run for step 2 (20261202-010030-abc123) answered:\n\nDone: Carry out the remaining steps of the plan:",
          context_paths: [{ path: "deliverables", permission: "read" }],
        },
      },
    ]);
    expect(quick.text).toBe('A single agent checked step 2 (Add the socket routes to the server): done and verified. Say "continue" for step 3.');
    const status = turn("What's the current status?", quick.messages, tools);
    expect(turn("(resumed) …", status.messages, tools).text).toBe("Last time we finished steps 1–2; step 3 remains: Write the tests.");
  });

  it("gets independent opinions without refinement, then debates them with the first run's answers as context", () => {
    const tools = engine();
    const first = turn("Get me independent opinions first: raw WebSockets or Socket.IO?", [], tools);
    expect(first.calls).toEqual([{ tool: "launch_run", args: { task: "Give your own, independent opinion on: Get me independent opinions first: raw WebSockets or Socket.IO?", agent_mode: "multi", refinement: false } }]);
    expect(first.text).toMatch(/^The agents answered independently \(no refinement\): completed, winner alpha .* Say "debate it" to have them discuss their answers\.$/);
    const { calls, text } = turn("Now debate it.", first.messages, tools);
    expect(calls).toEqual([
      { tool: "read_run", args: { run_id: "20261202-010000-abc120" } },
      {
        tool: "launch_run",
        args: {
          task: "Debate and settle: Get me independent opinions first: raw WebSockets or Socket.IO?",
          agent_mode: "multi",
          refinement: true,
          context: "The answers of the previous run (20261202-010000-abc120):\n\n## Answer A (alpha)\n\nUse raw WebSockets.\n\n## Answer B (beta)\n\nUse Socket.IO.",
        },
      },
    ]);
    expect(text).toMatch(/^The agents debated the earlier answers: completed/);
    // Without a subject of their own, the person means the last run's.
    const planned = turn("I need to add WebSocket support to the API server.", [], engine());
    expect(turn("Get me independent opinions first.", planned.messages, engine()).calls[0]!.args.task).toBe("Give your own, independent opinion on: Step 1 of 3: Write the handler module");
  });

  it("continues with the next step, executed then verified, and only verifies a step a relaunch already executed", () => {
    const tools = engine();
    const planned = turn("I need to add WebSocket support to the API server.", [], tools);
    const next = turn("continue", planned.messages, tools);
    expect(next.calls.map((c) => [c.args.task, c.args.agent_mode])).toEqual([
      ["Step 2 of 3: Add the socket routes to the server", undefined],
      ['Verify that step 2 "Add the socket routes to the server" is done: check the project against it and say what is missing, if anything.', "single"],
    ]);
    expect(next.text).toBe('Step 2 (Add the socket routes to the server): done and verified. Say "continue" for step 3.');

    const relaunched = turn("Actually, use Socket.IO instead.", planned.messages, tools);
    const verify = turn("Go on.", relaunched.messages, tools);
    expect(verify.calls.map((c) => c.args.task)).toEqual(['Verify that step 2 "Add the socket routes to the server" is done: check the project against it and say what is missing, if anything.']);

    const last = turn("next step", turn("continue", planned.messages, tools).messages, tools);
    expect(last.text).toBe("Step 3 (Write the tests): done and verified. That was the last step: all 3 are done.");
    expect(turn("continue", last.messages, tools)).toMatchObject({ calls: [], text: "All 3 steps of the plan are done and verified." });
  });

  it("recaps a resumed session from the steps executed and verified, or from the last run, or says nothing was done", () => {
    const tools = engine();
    const planned = turn("I need to add WebSocket support to the API server.", [], tools);
    const second = turn("continue", planned.messages, tools);
    const recap = turn("(resumed) The person has resumed this session. In one or two sentences, say where things stand: what was finished, what remains.", second.messages, tools);
    expect(recap).toMatchObject({ calls: [], text: "Last time we finished steps 1–2; step 3 remains: Write the tests." });
    expect(turn("(resumed) Where do things stand?", planned.messages, tools).text).toBe("Last time we finished step 1; step 2 remains: Add the socket routes to the server.");
    const quick = turn("Quick single-agent check of the README, please.", [], engine());
    expect(turn("(resumed) …", quick.messages, tools).text).toBe('Last time: "Quick single-agent check of the README, please." (completed). Nothing else is pending.');
    expect(turn("(resumed) …", [], tools).text).toBe("Nothing was done in this session yet.");
  });

  it("stops at a launch the person cancelled at approval, or over budget, with one call and a plain reply", () => {
    const cancelled = turn("Add WebSocket support.", [], engine({ fail: () => "Error: the person cancelled this run at approval; ask what they want instead." }));
    expect(cancelled).toMatchObject({ text: "You cancelled the planning run at approval, so nothing ran. What would you like instead?" });
    expect(cancelled.calls).toHaveLength(1);
    const budget = turn("Add WebSocket support.", [], engine({ fail: () => "Error: the session's budget ($1) is spent ($1.02): no more runs." }));
    expect(budget).toMatchObject({ text: "The planning run did not start: the session's budget ($1) is spent ($1.02): no more runs." });
  });

  it("says what happened to a run that did not complete, offers a retry, and retries with the same arguments", () => {
    const tools = engine({ fail: (args) => (String(args.task).startsWith("Step 1") ? "timeout" : undefined) });
    const failed = turn("Add WebSocket support.", [], tools);
    expect(failed.calls).toHaveLength(2);
    expect(failed.text).toBe(
      `The team recommends 3 steps:\n1. Write the handler module\n2. Add the socket routes to the server\n3. Write the tests\nThe run for step 1 (20261202-010010-abc121) ended timeout (the run's timeout (600 s) passed). What it had: Half of the handler module. Say "retry" to run it again, or tell me what to change.`,
    );
    const again = turn("Retry", failed.messages, engine());
    expect(again.calls).toEqual([failed.calls[1]]);
    expect(again.text).toMatch(/^I ran it again: completed/);
  });

  it("reads the last run from the system's runs digest when the messages no longer hold it", () => {
    const system = `${NO_PROJECT}\n\n# Runs of this session\n\n- 20261202-010203-abc123 [completed] (multi, planning) Plan the cache — winner alpha, $0.0123, 3s\n  answer: 1. Pick a store\n- 20261202-010304-def456 [failed] (single) Review the cache design — winner none, $0.0010, 2s\n\n# Spend\n\n$0.0133 in all.`;
    const quick = turn("Quick single-agent check, please.", [], engine(), system);
    expect(quick.calls[0]!.args.task).toBe("Check this work: Review the cache design");
    expect(turn("(resumed) …", [], engine(), system).text).toBe('Last time: "Review the cache design" (failed). Nothing else is pending.');
    expect(turn("Now debate it.", [], engine(), system).calls[0]).toEqual({ tool: "read_run", args: { run_id: "20261202-010304-def456" } });
  });

  it("analyzes the last run when asked why it was slow or went in circles, and reruns its task with the overrides when asked", () => {
    const tools = engine();
    const ran = turn("Quick single-agent check is fine.", [], tools);
    const why = turn("The agents went in circles. Why?", ran.messages, tools);
    expect(why.calls).toEqual([{ tool: "analyze_run", args: { run_id: tools.runs[0]!.run_id } }]);
    expect(why.text).toBe(
      `Run ${tools.runs[0]!.run_id} (6 rounds):\ncircling: 4 voting rounds (2, 3, 4, 5) brought only near-repeats, by alpha and gamma.\nI recommend coordination.max_rounds: 2; budget.usd: 0.004; --agents alpha,beta. Say "rerun with those settings" to run it again with them.`,
    );
    const rerun = turn("Rerun it with those settings", why.messages, tools);
    expect(rerun.calls).toEqual([{ tool: "launch_run", args: { ...ran.calls[0]!.args, coordination_overrides: { max_rounds: 2, timeouts: { idle: 90 } }, agents: ["alpha", "beta"] } }]);
    expect(rerun.text).toMatch(new RegExp(`^I reran ${tools.runs[0]!.run_id}'s task with coordination.max_rounds: 2; budget.usd: 0.004; --agents alpha,beta: completed, winner alpha .* It took 3 s instead of 3 s\\. Not possible in a launch: budget.usd: 0.004; \`conclave analyze ${tools.runs[0]!.run_id} --write-config <file>\` writes them into a config\\.$`));
    // With no analysis yet in the conversation, the last run is analyzed first; its own overrides stay under the recommended ones.
    const withOwn = engine();
    const own = turn("Apply the recommendations", [{ role: "user", content: "Review it" }, { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "launch_run", arguments: { task: "Review it", coordination_overrides: { voting: "strict", timeouts: { run: 60 } } }, rawArguments: "{}" }] }, { role: "tool", toolCallId: "c1", content: withOwn.result({ tool: "launch_run", args: { task: "Review it" } }) }], withOwn);
    expect(own.calls.map((c) => c.tool)).toEqual(["analyze_run", "launch_run"]);
    expect(own.calls[1]!.args).toEqual({ task: "Review it", coordination_overrides: { voting: "strict", max_rounds: 2, timeouts: { run: 60, idle: 90 } }, agents: ["alpha", "beta"] });
  });

  it("says so when the analysis finds nothing, or recommends only what a launch cannot change, or there is no run", () => {
    const clean = engine({ analysis: { findings: [], recommendations: [] } });
    const ran = turn("Quick single-agent check is fine.", [], clean);
    expect(turn("Why did it take so long?", ran.messages, clean).text).toBe(`Run ${clean.runs[0]!.run_id} (6 rounds) shows no waste: no circling, split votes, slow or costly agent, retries or deadlines. Nothing to change.`);
    const onlyConfig = engine({ analysis: { findings: CIRCLING_ANALYSIS.findings, recommendations: [{ change: "budget.usd: 0.004", why: "w" }], needs_write_config: ["budget.usd: 0.004"] } });
    const ran2 = turn("Quick single-agent check is fine.", [], onlyConfig);
    const rerun = turn("rerun with those settings", ran2.messages, onlyConfig);
    expect(rerun.calls.map((c) => c.tool)).toEqual(["analyze_run"]);
    expect(rerun.text).toBe(`The analysis of ${onlyConfig.runs[0]!.run_id} recommends nothing a launch can change, so I did not rerun it. Not possible in a launch: budget.usd: 0.004; \`conclave analyze ${onlyConfig.runs[0]!.run_id} --write-config <file>\` writes them into a config.`);
    // A question about the person's own system is a task, not an analysis.
    expect(turn("Why is the login page slow?", [], engine()).calls[0]).toEqual({ tool: "launch_run", args: { task: "Why is the login page slow?", agent_mode: "multi", planning_mode: true } });
    expect(turn("Rerun the tests with the new fixtures", [], engine()).calls[0]!.args.planning_mode).toBe(true);
    expect(turn("why was that slow?", [], engine())).toEqual(expect.objectContaining({ calls: [{ tool: "analyze_run", args: {} }], text: "I could not analyze the run: analyze_run: this session has no run yet, so there is nothing to analyze." }));
  });

  it("answers a greeting or thanks alone without a run", () => {
    for (const words of ["Hi!", "thanks", "OK."]) {
      expect(turn(words, [], engine())).toEqual(expect.objectContaining({ calls: [], text: 'Tell me what to work on, or ask where things stand. Say "continue" to go on with the plan.' }));
    }
  });

  it(`replies in text once a turn has made ${MAX_CALLS} tool calls`, () => {
    const messages: ChatMessage[] = [{ role: "user", content: "Add WebSocket support." }];
    for (let i = 0; i < MAX_CALLS; i++) {
      messages.push({ role: "assistant", content: "", toolCalls: [{ id: `c${i}`, name: "list_files", arguments: {}, rawArguments: "{}" }] });
      messages.push({ role: "tool", toolCallId: `c${i}`, content: "src/server.ts" });
    }
    expect(orchestratorPolicy({ system: PROJECT, messages, tools: TOOLS })).toEqual({ text: "I stop here: that was 8 tool calls this turn. The last result (list_files): src/server.ts" });
  });
});

describe("orchestratorPolicy() with real offline runs behind launch_run", () => {
  afterAll(cleanRuns);

  it("plans a task, executes and verifies step 1 from the plan a scripted team wrote, and continues with step 2", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "conclave-policy-"));
    dirs.push(runsDir);
    const tasks: string[] = [];
    // launch_run as the engine does it: the contract's parse, run(), the compact result.
    const host = async (action: Action): Promise<string> => {
      const parsed = parseLaunchRun(action.args);
      if (!parsed.ok) return `Error: ${parsed.error}`;
      tasks.push(parsed.args.task);
      const result = await run({ ...launchRunOptions(parsed.args), config: OFFLINE, runsDir, clock: new SimulatedClock(), env: {} });
      return JSON.stringify(launchRunResult(result));
    };
    const play = async (person: string, prior: ChatMessage[]) => {
      const messages: ChatMessage[] = [...prior, { role: "user", content: person }];
      for (let i = 0; i < MAX_CALLS + 1; i++) {
        const action = orchestratorPolicy({ system: NO_PROJECT, messages, tools: TOOLS });
        if ("text" in action) return { text: action.text, messages: [...messages, { role: "assistant" as const, content: action.text }] };
        const id = `call_${i}`;
        messages.push({ role: "assistant", content: "", toolCalls: [{ id, name: action.tool, arguments: action.args, rawArguments: JSON.stringify(action.args) }] });
        messages.push({ role: "tool", toolCallId: id, content: await host(action) });
      }
      throw new Error("no text reply");
    };
    const first = await play("Add WebSocket support to the API server.", []);
    const steps = /^The team recommends (\d+) steps:\n((?:\d+\. .+\n)+)I started with step 1 \((.+)\): done and verified\. Say "continue" for step 2\.$/.exec(first.text);
    expect(steps, first.text).not.toBeNull();
    const titles = steps![2]!.trim().split("\n").map((l) => l.replace(/^\d+\. /, ""));
    expect(titles).toHaveLength(Number(steps![1]));
    expect(steps![3]).toBe(titles[0]);
    expect(tasks).toEqual(["Add WebSocket support to the API server.", `Step 1 of ${titles.length}: ${titles[0]}`, expect.stringMatching(/^Verify that step 1 /)]);
    const second = await play("continue", first.messages);
    expect(second.text).toMatch(new RegExp(`^Step 2 \\(${titles[1]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\): done and verified\\.`));
    expect(tasks.slice(3)).toEqual([`Step 2 of ${titles.length}: ${titles[1]}`, expect.stringMatching(/^Verify that step 2 /)]);
  });
});
