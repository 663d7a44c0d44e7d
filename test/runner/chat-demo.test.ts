import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initProject } from "../../framework/project/init-project.ts";
import { makeTempDir, readJson, removeDir, REPO, writeConfig } from "../support/cli-process.ts";
import { startTmux, type TmuxSession } from "../support/pty-tmux.ts";

// The demo, replayed in a real terminal (tmux) through `conclave chat`: a task, the
// approval card, Edit agents down to two, the run's progress and its end, the orchestrator's
// reply; then a slow run, a note typed while it works, and Ctrl+C that cancels only that run
// (the turn goes on, the prompt comes back), and /exit with 0. Each step's screen is kept in
// the test's directory (screens.txt) for a person to read.

const DEMO = `agents:
  - id: alpha
    backend: { type: scripted, latency_ms: 200 }
  - id: beta
    backend: { type: scripted, latency_ms: 200 }
  - id: gamma
    backend: { type: scripted, latency_ms: 200 }
  - id: slow
    backend: { type: scripted, latency_ms: 60000 }
orchestrator:
  backend:
    type: scripted
    script:
      - { tool: launch_run, args: { task: "Plan WebSocket support for the API server", planning_mode: true, agents: [alpha, beta, gamma] } }
      - { text: "The team recommends 5 steps; I'll start with the handler module." }
      - { tool: launch_run, args: { task: "Write the handler module", agent_mode: single, agents: [slow] } }
      - { text: "The run was cancelled; I have its partial result." }
interactive: { require_approval: always }
coordination:
  timeouts: { run: 120, generation: 90, voting: 90, presentation: 90, call: 90, idle: 90 }
`;
// The prompt waiting (capture-pane trims the space after it) under the context bar: the `n`th time it is shown.
const PROMPT = /^demo · .+\nyou>\n?$/gm;
// The approval question, answered or not.
const ASKING = /^Approve \[a\], edit agents \[e\], or cancel \[c\]\?( .*)?$/gm;

let tmp: string;
let tmux: TmuxSession | undefined;
const screens: string[] = [];
beforeEach(() => {
  tmp = makeTempDir("conclave-chat-demo-");
});
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
  removeDir(tmp);
});

// Polls until `pattern` (global) matches `count` times on the screen, or, for the prompt, until the `count`th is shown; keeps the screen.
async function waitFor(pattern: RegExp, count = 1, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = tmux!.capture();
    const shown = pattern === PROMPT ? ((screen.match(/^demo · /gm) ?? []).length >= count && /\nyou>\n?$/.test(screen) ? count : 0) : (screen.match(pattern) ?? []).length;
    if (shown >= count) {
      screens.push(screen);
      writeFileSync(join(tmp, "screens.txt"), screens.join("\n======\n"));
      return screen;
    }
    if (Date.now() > deadline) throw new Error(`the screen did not show ${pattern} ${count} time(s) within ${timeoutMs} ms; it shows:\n${screen}`);
    await sleep(25);
  }
}

describe("conclave chat in a terminal", () => {
  it("plays the demo: approval with Edit agents, a run's progress and end, a note, and Ctrl+C that cancels only the run", async () => {
    const project = initProject("demo", tmp).dir;
    const config = writeConfig(tmp, "demo.yaml", DEMO);
    tmux = startTmux([process.execPath, join(REPO, "bin", "conclave.js"), "chat", "--project", project, "--config", config], { cwd: tmp, dir: tmp, env: { CONCLAVE_PROJECT: undefined } });

    let screen = await waitFor(PROMPT);
    expect(screen).toMatch(/^demo · \d{8}-\d{6}-[0-9a-f]{6} · idle · \$0\.0000$/m);
    tmux.type("Add WebSocket support to the API server.");
    screen = await waitFor(ASKING);
    expect(screen).toContain("Run chat: Plan WebSocket support for the API server\n  task       Plan WebSocket support for the API server\n  agents     alpha (scripted), beta (scripted), gamma (scripted)\n");
    tmux.type("e");
    await waitFor(/^Agents to run, comma-separated \(alpha, beta, gamma\):$/gm);
    tmux.type("alpha,beta");
    screen = await waitFor(/^conclave> The team recommends 5 steps; I'll start with the handler module\.$/gm);
    expect(screen).toMatch(/^\[run \S+\] planning · alpha, beta · Plan WebSocket support for the API server$/m);
    expect(screen).toMatch(/^\[run \S+\] completed · winner (alpha|beta) \(.+\) · \$0\.0000 · \d+\.\d s$/m);
    // The progress block was redrawn in place: its final state is on screen once, with the two agents chosen.
    expect(screen.match(/^conclave {2}\w+ · round \d+ · \d+% /gm)).toHaveLength(1);
    expect(screen).toMatch(/^ {2}alpha {2}presented/m);
    expect(screen).not.toMatch(/^ {2}gamma /m);

    screen = await waitFor(PROMPT, 2);
    expect(screen).toMatch(/^demo · \S+ · complete · 1 run · \$0\.0000$/m);
    tmux.type("Go on with the handler module.");
    await waitFor(ASKING, 2);
    tmux.type("a");
    await waitFor(/^ {2}slow {2}working/gm);
    tmux.type("use port 8080");
    await waitFor(/^Noted for the running run: use port 8080$/gm);
    tmux.keys("C-c");
    screen = await waitFor(/^conclave> The run was cancelled; I have its partial result\.$/gm);
    expect(screen).toContain("Cancelling run ");
    expect(screen).toMatch(/^\[run \S+\] cancelled: by the person \(Ctrl\+C in the chat\) · no winner · \$0\.0000 · \d+\.\d s$/m);
    expect(screen.match(/^conclave {2}\w+ · round \d+ · \d+% /gm)).toHaveLength(2);
    screen = await waitFor(PROMPT, 3);
    expect(screen).toMatch(/^demo · \S+ · complete · 2 runs · \$0\.0000$/m);

    tmux.type("/exit");
    expect(await tmux.waitForExit(20_000)).toBe(0);
    const [id] = /\d{8}-\d{6}-[0-9a-f]{6}/.exec(screen)!;
    expect(tmux.capture()).toContain(`Session ${id} saved: conclave chat --resume ${id}\n`);
    const record = readJson<{ turns: number; runs: { status: string; log_dir: string; args: { agents: string[] } }[] }>(join(project, "sessions", id, "session.json"));
    expect(record.turns).toBe(2);
    expect(record.runs.map((r) => [r.status, r.args.agents])).toEqual([
      ["completed", ["alpha", "beta"]],
      ["cancelled", ["slow"]],
    ]);
    // The note typed while the slow run worked went to that run (its journal has it, for its agents' next turn).
    const journal = readFileSync(join(record.runs[1]!.log_dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; text?: string });
    expect(journal.filter((e) => e.type === "run.note").map((e) => e.text)).toEqual(["use port 8080"]);
    // The orchestrator got the cancelled run's result, and the turn went on to its reply.
    expect(readFileSync(join(project, "sessions", id, "messages.jsonl"), "utf8")).toContain(String.raw`\"status\":\"cancelled\"`);
  }, 90_000);
});
