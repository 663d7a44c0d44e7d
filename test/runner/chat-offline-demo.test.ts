import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initProject } from "../../framework/project/init-project.ts";
import type { SessionRecord } from "../../framework/session/session-types.ts";
import { makeTempDir, readJson, removeDir, REPO, writeConfig } from "../support/cli-process.ts";
import { startTmux, type TmuxSession } from "../support/pty-tmux.ts";

// The whole demo, replayed in a real terminal (tmux) through `conclave chat` with the offline
// orchestrator (the scripted backend's policy, no script): plan → execute step 1 → verify; a change of
// constraint relaunches the remaining work with it in the run's context; a status question answered with
// no run; a quick single-agent check; independent opinions, then a debate over them; and the next day
// `--resume latest` says where things stand. Every step's screen is kept in screens.txt.

const DEMO = `agents:
  - { id: alpha, backend: { type: scripted, latency_ms: 20 } }
  - { id: beta, backend: { type: scripted, latency_ms: 30 } }
  - { id: gamma, backend: { type: scripted, latency_ms: 40 } }
orchestrator:
  backend: { type: scripted }
interactive: { require_approval: always }
`;
const ASKING = /^Approve \[a\], edit agents \[e\], or cancel \[c\]\?/gm;

let tmp: string;
let tmux: TmuxSession | undefined;
const screens: string[] = [];
beforeEach(() => {
  tmp = makeTempDir("conclave-chat-offline-");
});
afterEach(async () => {
  await tmux?.kill();
  tmux = undefined;
  removeDir(tmp);
});

const keep = (screen: string) => {
  screens.push(screen);
  writeFileSync(join(tmp, "screens.txt"), screens.join("\n======\n"));
  return screen;
};

// Types `line`, approves every run card it raises, and returns the screen once the `n`th prompt is back.
async function say(line: string, prompts: number, timeoutMs = 30_000): Promise<string> {
  const asked = (tmux!.capture().match(ASKING) ?? []).length;
  let approved = asked;
  tmux!.type(line);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = tmux!.capture();
    const asking = (screen.match(ASKING) ?? []).length;
    if (asking > approved && /\? $|\?$/.test(screen.trimEnd().split("\n").at(-1)!)) {
      approved = asking;
      tmux!.type("a");
    } else if ((screen.match(/^you>/gm) ?? []).length >= prompts && /\nyou>\s*$/.test(screen)) return keep(screen);
    if (Date.now() > deadline) throw new Error(`no prompt ${prompts} within ${timeoutMs} ms after "${line}"; the screen:\n${screen}`);
    await sleep(25);
  }
}

describe("conclave chat with the offline orchestrator", () => {
  it("replays the demo: plan, execute, verify; a new constraint; status; quick check; opinions then debate; resume the next day", async () => {
    const project = initProject("demo", tmp).dir;
    const config = writeConfig(tmp, "demo.yaml", DEMO);
    const chat = (...extra: string[]) =>
      startTmux([process.execPath, join(REPO, "bin", "conclave.js"), "chat", "--project", project, "--config", config, ...extra], { cwd: tmp, dir: tmp, env: { CONCLAVE_PROJECT: undefined }, cols: 250, rows: 60 });
    tmux = chat();
    const runs = () => readJson<SessionRecord>(join(project, "sessions", id(), "session.json")).runs;
    let sessionId = "";
    const id = () => sessionId || (sessionId = /\d{8}-\d{6}-[0-9a-f]{6}/.exec(tmux!.capture())![0]);

    let screen = await say("I need to add WebSocket support to the API server.", 2, 60_000);
    expect(screen).toContain("Run chat: I need to add WebSocket support to the API server.");
    expect(screen).toMatch(/^ {2}agents {5}alpha \(scripted\), beta \(scripted\), gamma \(scripted\)$/m);
    expect(screen).toMatch(/^conclave> The team recommends \d steps:$/m);
    expect(screen).toMatch(/I started with step 1 \(.+\): done and verified\. Say "continue" for step 2\./);
    expect(runs().map((r) => [r.status, r.args!.agent_mode, r.args!.planning_mode])).toEqual([
      ["completed", "multi", true],
      ["completed", "multi", false],
      ["completed", "single", false],
    ]);
    expect(runs()[1]!.args!.task).toMatch(/^Step 1 of \d: /);
    expect(runs()[2]!.args!.task).toMatch(/^Verify that step 1 /);

    screen = await say("Actually, can we use Socket.IO instead?", 3);
    expect(screen).toMatch(/^conclave> I relaunched the remaining work \(steps 2–\d\) with your constraint/m);
    expect(runs()[3]!.args!.task).toMatch(/^Carry out the remaining steps of the plan:\n2\. /);
    expect(runs()[3]!.args!.context).toBe("Constraint from the person: Actually, can we use Socket.IO instead?");

    screen = await say("What's the current status?", 4);
    expect(screen).toMatch(/^This session has 4 runs; the last, "Carry out the remaining steps of the plan: .*", is completed\.$/m);
    expect(runs()).toHaveLength(4);

    screen = await say("Quick single-agent check is fine.", 5);
    expect(runs()[4]!.args).toMatchObject({ agent_mode: "single", refinement: false });
    expect(screen).toMatch(/^conclave> A single agent checked step 2 \(.+\): done and verified\./m);

    screen = await say("Get me independent opinions first.", 6);
    expect(runs()[5]!.args).toMatchObject({ agent_mode: "multi", refinement: false });
    expect(screen).toMatch(/^conclave> The agents answered independently \(no refinement\)/m);

    screen = await say("Now debate it.", 7);
    const debate = runs()[6]!;
    expect(debate.args).toMatchObject({ agent_mode: "multi", refinement: true });
    expect(debate.args!.context).toContain(`The answers of the previous run (${runs()[5]!.run_id})`);
    expect(screen).toMatch(/^conclave> The agents debated the earlier answers/m);

    tmux.type("/exit");
    expect(await tmux.waitForExit(20_000)).toBe(0);
    await tmux.kill();

    // The next day: a new process resumes the latest session and the orchestrator says where things stand.
    tmux = chat("--resume", "latest");
    screen = keep(await tmux.waitForScreen(/^conclave> Last time we finished steps 1–2; step 3 remains: .+$/m, 30_000));
    expect(screen).toContain(`Resumed session ${sessionId} (6 turns, 7 runs).`);
    tmux.type("/exit");
    expect(await tmux.waitForExit(20_000)).toBe(0);
  }, 180_000);
});
