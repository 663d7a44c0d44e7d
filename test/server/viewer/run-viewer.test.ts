import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeRun } from "../../../framework/analysis/analyze-run.ts";
import { SimulatedClock } from "../../../framework/clock.ts";
import { initProject } from "../../../framework/project/init-project.ts";
import { openProject } from "../../../framework/project/open-project.ts";
import { parseLaunchRun } from "../../../framework/runs/launch-run.ts";
import { run } from "../../../framework/runs/run.ts";
import { createQueryBoard } from "../../../framework/runs/query-board.ts";
import { createRunNotes } from "../../../framework/runs/run-notes.ts";
import { createRunLauncher } from "../../../framework/server/run-launcher.ts";
import { circling } from "../../fixtures/analysis/scenarios.ts";
import { removeDir } from "../../support/cli-process.ts";
import { handMadeRun } from "../../support/hand-made-run.ts";
import { startHttp, stopHttp } from "../../support/http-server.ts";
import { cleanRuns, runScripted, scripted } from "../../support/scripted-run.ts";

// The run viewer in a real browser: Debian's chromium (installed by .ci/run) driven by playwright-core.
const CHROMIUM = "/usr/bin/chromium";
let browser: Browser;
const temps: string[] = [];
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  await stopHttp();
  cleanRuns();
  for (const d of temps) removeDir(d);
});

describe("the run viewer", () => {
  it("lists the runs, and a run page shows its answers, every vote with its reason, the winner and the final answer", async () => {
    const { result, runsDir } = await runScripted({ agents: [scripted("alpha"), scripted("beta"), scripted("gamma")] });
    const server = await startHttp({ runsDir });
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector(`#runs tr[data-run="${result.run_id}"]`);
    const row = await page.textContent(`#runs tr[data-run="${result.run_id}"]`);
    expect(row).toContain("completed");
    expect(row).toContain("Design a cache for the API");

    await page.click(`a[href="#/runs/${result.run_id}"]`);
    await page.waitForSelector("#final");
    expect(await page.textContent("#run-status")).toBe("completed");
    expect(await page.textContent("#winner")).toBe(` · winner ${result.winner} (${result.winner_reason})`);
    const versions = await page.$$eval("#answers .answer", (nodes) => nodes.map((n) => n.getAttribute("data-version")));
    expect(versions).toEqual(result.answers.map((a) => a.version));
    const votes = await page.$$eval("#votes tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
    expect(votes).toHaveLength(3);
    for (const vote of votes) expect(vote[2]).toMatch(/^Answer [A-C] is the most complete \(\d+ words\)\.$/);
    expect((await page.textContent("#final"))!.trim()).toBe(result.answer!.trim());
    expect(await page.$$eval("#agents tbody tr", (rows) => rows.length)).toBe(3);

    const shot = join(mkdtempSync(join(tmpdir(), "conclave-viewer-")), "run-page.png");
    temps.push(join(shot, ".."));
    writeFileSync(shot, await page.screenshot({ fullPage: true }));
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    await page.close();
  }, 60_000);

  it("shows a single agent's run that wrote a file: its final answer, the notes it was told and its changes as a diff, and no stray text", async () => {
    const root = mkdtempSync(join(tmpdir(), "conclave-viewer-single-"));
    temps.push(root);
    const project = openProject(join(root, "proj"), { create: true });
    mkdirSync(project.deliverablesDir, { recursive: true });
    writeFileSync(join(project.deliverablesDir, "notes.md"), "# Notes\n");
    const notes = createRunNotes();
    notes.tell("Keep the section short.");
    const write = { tool: "write_file", args: { path: "deliverables/notes.md", content: "# Notes\n\n## Caching\nCache reads for 60 s.\n" } };
    const result = await run({
      task: "Add a section about caching to deliverables/notes.md",
      config: { agents: [scripted("alpha", { script: [write, { answer: "Added a caching section to notes.md." }] })] },
      agent_mode: "single",
      context_paths: [{ path: "deliverables", permission: "write" }],
      project,
      notes,
      clock: new SimulatedClock(),
      env: {},
    });
    expect(result).toMatchObject({ status: "completed", winner: "alpha", changes: { files: ["deliverables/notes.md"] } });
    const server = await startHttp({ runsDir: project.runsDir });
    const page = await browser.newPage();
    await page.goto(`${server.url}/#/runs/${result.run_id}`);
    await page.waitForSelector("#patch");
    // No presentation in a single agent's run: the final answer comes from result.json.
    expect((await page.textContent("#final"))!.trim()).toBe("Added a caching section to notes.md.");
    const added = await page.$$eval("#patch div.add", (lines) => lines.map((l) => l.textContent));
    expect(added).toEqual(expect.arrayContaining(["+## Caching", "+Cache reads for 60 s."]));
    expect(await page.$$eval("h2", (hs) => hs.map((h) => h.textContent))).toEqual(expect.arrayContaining(["Notes from the person", "Final answer", "Changes"]));
    expect(await page.textContent("main")).toContain("Keep the section short.");
    // Every section is an element: no section left out shows as "null", no list as "[object …]" (3: a text node).
    const bare = await page.$$eval("main", ([m]) => [...m!.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent));
    expect(bare).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows a run whose process died as abandoned, not as running, with what it had done", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "conclave-viewer-abandoned-"));
    temps.push(runsDir);
    const dead = handMadeRun(runsDir, ["alpha", "beta"]);
    const description = join(dead.dir, "run_description.json");
    // A pid no process has (above Linux's pid_max): the run's owner is gone.
    writeFileSync(description, JSON.stringify({ ...JSON.parse(readFileSync(description, "utf8")), pid: 4_194_400 }));
    dead.append({ type: "run.phase", phase: "generation", round: 1 }, { type: "run.agent.answered", agentId: "alpha", round: 1, content: "Cache reads for 60 s." });
    const server = await startHttp({ runsDir });
    const page = await browser.newPage();
    await page.goto(`${server.url}/#/runs/${dead.runId}`);
    await page.waitForSelector('#answers .answer[data-version="alpha.1"]');
    expect(await page.textContent("#run-status")).toBe("abandoned");
    await page.close();
  }, 60_000);

  it("shows a finished circling run's findings with their severity and evidence, and the recommended changes", async () => {
    const { result, runsDir } = await runScripted(circling());
    const report = await analyzeRun(result.log_dir);
    const server = await startHttp({ runsDir });
    const page = await browser.newPage();
    await page.goto(`${server.url}/#/runs/${result.run_id}`);
    await page.waitForSelector('#analysis .finding[data-kind="circling"]');
    expect(await page.$$eval("#analysis .finding", (nodes) => nodes.map((n) => n.getAttribute("data-kind")))).toEqual(["circling", "split_on_minor_differences", "redundant_agent"]);
    const circled = report.findings[0]!;
    expect(await page.textContent('#analysis .finding[data-kind="circling"] .severity')).toBe("critical");
    expect(await page.textContent('#analysis .finding[data-kind="circling"] .summary')).toBe(circled.summary);
    expect(await page.$$eval('#analysis .finding[data-kind="circling"] .evidence li', (items) => items.map((i) => i.textContent))).toEqual([
      ...circled.evidence.slice(0, 6).map((e) => e.text),
      `… ${circled.evidence.length - 6} more (conclave analyze shows them all)`,
    ]);
    expect(circled.evidence.length).toBeGreaterThan(6);
    const change = await page.textContent('#recommendations li[data-change="coordination.max_rounds: 2"]');
    expect(change).toBe(`coordination.max_rounds: 2 ${report.recommendations[0]!.why} ${report.recommendations[0]!.expected}`);
    await page.close();
  }, 60_000);

  it("updates a run in progress without a reload, to its end", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "conclave-viewer-live-"));
    temps.push(runsDir);
    const server = await startHttp({ runsDir });
    let started!: (id: string) => void;
    const runId = new Promise<string>((resolve) => (started = resolve));
    const slow = (id: string) => ({ id, backend: { type: "scripted" as const, latency_ms: 400 } });
    const going = run({ task: "Plan the migration", config: { agents: [slow("alpha"), slow("beta")] }, runsDir, env: {}, onStart: ({ runId }) => started(runId) });
    const id = await runId;
    const page = await browser.newPage();
    await page.goto(`${server.url}/#/runs/${id}`);
    await page.waitForSelector("#run-status");
    expect(await page.textContent("#run-status")).toBe("running");
    // The answers arrive over the event stream while the page stays the same page.
    // A mark on the page's window: still there at the end means the page was never reloaded.
    await page.evaluate(() => ((globalThis as { marker?: number }).marker = 42));
    await page.waitForSelector('#answers .answer[data-version="beta.1"]', { timeout: 20_000 });
    const result = await going;
    await page.waitForSelector('#run-status:text-is("completed")', { timeout: 20_000 });
    // The findings panel is asked for once the run has ended.
    await page.waitForSelector("#analysis h2", { timeout: 20_000 });
    expect(await page.evaluate(() => (globalThis as { marker?: number }).marker)).toBe(42);
    expect(await page.textContent("#winner")).toContain(`winner ${result.winner}`);
    await page.close();
  }, 60_000);

  it("shows an agent's pending question on the run page, takes the answer from a click, and the run goes on", async () => {
    const project = initProject("demo", mkdtempSync(join(tmpdir(), "conclave-viewer-query-")));
    temps.push(join(project.dir, ".."));
    const queries = createQueryBoard({ timeoutMs: 30_000 });
    const asking = { id: "alpha", backend: { type: "scripted" as const, latency_ms: 10, script: [{ tool: "ask_human", args: { question: "JWT or Session?", options: ["JWT", "Session"] } }, { answer: "Auth with JWT." }] } };
    const launcher = createRunLauncher({ project, config: { agents: [asking] }, env: {}, askHuman: (runId, agent, query, signal) => queries.ask(runId, agent, query, signal) });
    const server = await startHttp({ project: project.dir, launcher, queries });
    const parsed = parseLaunchRun({ task: "Add auth", agent_mode: "single", context_paths: [{ path: "deliverables", permission: "read" }] });
    if (!parsed.ok) throw new Error(parsed.error);
    const launched = await launcher.launch(parsed.args);
    const page = await browser.newPage();
    await page.goto(`${server.url}/#/runs/${launched.runId}`);
    await page.waitForSelector('#queries .query[data-query="q1"]', { timeout: 20_000 });
    expect(await page.textContent("#queries .query")).toContain("alpha asks: JWT or Session?");
    await page.click('#queries button[data-option="JWT"]');
    const result = await launched.done;
    expect(result).toMatchObject({ status: "completed", answer: "Auth with JWT." });
    await page.waitForSelector('#run-status:text-is("completed")', { timeout: 20_000 });
    await page.waitForSelector("#queries .query", { state: "detached", timeout: 20_000 });
    expect(queries.list()).toEqual([]);
    await page.close();
    await launcher.close();
  }, 60_000);

  it("opens with the token in the address on a server that requires one: the address loses the token and the runs list renders", async () => {
    const runsDir = mkdtempSync(join(tmpdir(), "conclave-viewer-token-"));
    temps.push(runsDir);
    const run = handMadeRun(runsDir);
    const server = await startHttp({ runsDir, token: "viewer-s3cret" });
    const page = await browser.newPage();
    await page.goto(`${server.url}/?token=viewer-s3cret`);
    await page.waitForSelector(`#runs tr[data-run="${run.runId}"]`);
    expect(page.url()).toBe(`${server.url}/`);
    expect(await page.textContent(`#runs tr[data-run="${run.runId}"]`)).toContain("Design a cache for the API");
    await page.close();
  }, 60_000);
});
