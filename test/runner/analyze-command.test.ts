import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeProject } from "../../framework/analysis/analyze-project.ts";
import { analyzeRun } from "../../framework/analysis/analyze-run.ts";
import { writeRecommendedConfig } from "../../framework/analysis/write-recommended-config.ts";
import { loadConfig } from "../../framework/config/load-config.ts";
import { analyzeCommand } from "../../framework/runner/analyze-command.ts";
import { run } from "../../framework/runs/run.ts";
import { makeTempDir, readJson, REPO, removeDir, runCli, startCli, writeConfig } from "../support/cli-process.ts";

// The real command on real runs: the circling scenario (test/fixtures/analyze-command/circling.yaml)
// run with `conclave ask` into a project, analysed, its tuned config written and run again.

interface Status {
  coordination: { round: number };
  results: { status: string; winner: string | null; votes: Record<string, number> };
}

const TASK = "Design a cache for the API";

// `LOG_DIR: <dir>` → <dir>
function logDirOf(stdout: string): string {
  const match = /^LOG_DIR: (.+)$/m.exec(stdout);
  if (!match) throw new Error(`no LOG_DIR line in stdout:\n${stdout}`);
  return match[1]!;
}

let tmp: string;
let circling: string;
let shown: string;
beforeAll(async () => {
  tmp = makeTempDir("conclave-analyze-");
  mkdirSync(join(tmp, "configs"));
  copyFileSync(join(REPO, "test", "fixtures", "analyze-command", "circling.yaml"), join(tmp, "configs", "circling.yaml"));
  const init = await runCli(["init", "demo"], { cwd: tmp });
  if (init.code !== 0) throw new Error(`init exited ${init.code}: ${init.stderr}`);
  const ask = await runCli(["ask", TASK, "--config", "configs/circling.yaml", "--runs-dir", "projects/demo/runs", "--automation"], { cwd: tmp });
  if (ask.code !== 0) throw new Error(`ask exited ${ask.code}: ${ask.stderr}`);
  circling = logDirOf(ask.stdout);
  shown = `projects/demo/runs/${basename(circling)}`;
}, 60_000);
afterAll(() => removeDir(tmp));

describe("conclave analyze on the circling run", () => {
  it("prints the findings first, then the evidence, the recommendations and the commands to rerun, with no colour when piped", async () => {
    const { code, stdout, stderr } = await runCli(["analyze", shown], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(new RegExp(`^Run ${basename(circling)} · completed · winner alpha · 6 rounds · \\d+ calls · `));
    expect(stdout).not.toContain("\x1b[");
    const at = (text: string) => stdout.indexOf(text);
    expect([at("\nFindings\n"), at("\nEvidence\n"), at("\nRecommendations\n"), at("\nRerun with them\n"), at("\nAgents\n")].every((n, i, all) => n > 0 && (i === 0 || n > all[i - 1]!))).toBe(true);
    // The findings' own words are the analyzer's: the report says what the text must show.
    const report = await analyzeRun(circling);
    const circlingFinding = report.findings.find((f) => f.kind === "circling");
    expect([circlingFinding?.severity, circlingFinding?.rounds, circlingFinding?.agents.sort()]).toEqual(["critical", [2, 3, 4, 5], ["beta", "gamma"]]);
    expect(report.findings.map((f) => f.kind)).toContain("split_on_minor_differences");
    const width = Math.max(...report.findings.map((f) => f.severity.length));
    const findings = stdout.slice(at("\nFindings\n") + 10, at("\nEvidence\n"));
    expect(findings).toBe(`${report.findings.map((f) => `  ${f.severity.padEnd(width)}  ${f.kind}: ${f.summary}`).join("\n")}\n`);
    const evidence = stdout.slice(at("\nEvidence\n"), at("\nRecommendations\n"));
    for (const e of report.findings.flatMap((f) => f.evidence)) expect(evidence).toContain(`    ${e.text}\n`);
    expect(stdout).toContain("\n  coordination.max_rounds: 2\n      why: ");
    expect(stdout).toContain(`\nRerun with them\n  npx conclave analyze ${shown} --write-config tuned.yaml\n  npx conclave ask "${TASK}" --config tuned.yaml --runs-dir projects/demo/runs\n\nAgents\n`);
  });

  it("prints exactly analyzeRun()'s report with --json", async () => {
    const { code, stdout, stderr } = await runCli(["analyze", shown, "--json"], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(await analyzeRun(circling));
  });

  it("writes the tuned config, and the run on it takes fewer rounds with the same winner's answer", async () => {
    const { code, stdout, stderr } = await runCli(["analyze", shown, "--write-config", "tuned.yaml"], { cwd: tmp });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}Wrote tuned\.yaml \(from configs\/circling\.yaml\): coordination\.max_rounds: 6 → 2; /m);
    expect(stdout).toContain(`\nRerun with them\n  npx conclave ask "${TASK}" --config tuned.yaml --runs-dir projects/demo/runs\n`);
    const tuned = readFileSync(join(tmp, "tuned.yaml"), "utf8");
    expect(tuned.split("\n")[0]).toBe(`# Written by \`conclave analyze --write-config\` from configs/circling.yaml for run ${basename(circling)}.`);
    expect(tuned).toContain("  max_rounds: 2 # enough rounds to circle\n");
    expect(loadConfig(join(tmp, "tuned.yaml")).coordination.max_rounds).toBe(2);

    const again = await runCli(["ask", TASK, "--config", "tuned.yaml", "--runs-dir", "projects/demo/runs", "--automation"], { cwd: tmp });
    expect(again.code, again.stderr).toBe(0);
    const rerun = logDirOf(again.stdout);
    const before = readJson<Status>(join(circling, "status.json"));
    const after = readJson<Status>(join(rerun, "status.json"));
    expect([before.coordination.round, after.coordination.round]).toEqual([6, 2]);
    expect([before.results.status, before.results.winner, after.results.status, after.results.winner]).toEqual(["completed", "alpha", "completed", "alpha"]);
    const answer = "Cache every read path behind one shared layer with explicit expiry keys, measured hit rates and a documented fallback. Stated plainly.";
    expect([readFileSync(join(circling, "final", "alpha", "answer.txt"), "utf8").trim(), readFileSync(join(rerun, "final", "alpha", "answer.txt"), "utf8").trim()]).toEqual([answer, answer]);
    const report = await analyzeRun(rerun);
    // beta still repeats alpha, but a team is never cut below two agents: the finding stays, with no --agents to apply.
    expect([report.metrics.rounds, report.findings.map((f) => f.kind), report.recommendations]).toEqual([2, ["redundant_agent"], []]);
  }, 30_000);

  it("gives the same answer in 2 rounds with all three agents when only max_rounds is applied", async () => {
    const report = await analyzeRun(circling);
    const rounds = report.recommendations.filter((r) => r.set?.["coordination.max_rounds"] !== undefined);
    expect(rounds.map((r) => r.set)).toEqual([{ "coordination.max_rounds": 2 }]);
    const out = join(tmp, "rounds-only.yaml");
    writeRecommendedConfig({ runDir: circling, recommendations: rounds, out });
    const result = await run({ task: TASK, config: out, runsDir: join(tmp, "rounds-only"), env: {} });
    expect([result.status, result.winner, Object.keys(readJson<{ agents: object }>(join(result.log_dir, "status.json")).agents)]).toEqual(["completed", "alpha", ["alpha", "beta", "gamma"]]);
    expect(readJson<Status>(join(result.log_dir, "status.json")).coordination.round).toBe(2);
    expect(result.answer?.trim()).toBe(readFileSync(join(circling, "final", "alpha", "answer.txt"), "utf8").trim());
  });

  it("reports the project by step and by run, for its directory and its name, and as ProjectReport with --json", async () => {
    const byDir = await runCli(["analyze", "projects/demo"], { cwd: tmp });
    expect(byDir.stderr).toBe("");
    expect(byDir.code).toBe(0);
    const runs = (await analyzeProject(join(tmp, "projects", "demo"))).runs.length;
    expect(byDir.stdout.split("\n")[0]).toMatch(new RegExp(`^Project projects/demo · ${runs} runs · `));
    expect(byDir.stdout).toContain("\nBy step, the costliest first\n  step ");
    expect(byDir.stdout).toMatch(new RegExp(`^ {2}${basename(circling)} {2}- +completed .*circling, split_on_minor_differences`, "m"));
    expect(byDir.stdout).toContain("\nEvery run finished.\n");
    const byName = await runCli(["analyze", "demo"], { cwd: tmp });
    expect(byName).toMatchObject({ code: 0, stdout: byDir.stdout });
    const json = await runCli(["analyze", "projects/demo", "--json"], { cwd: tmp });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(await analyzeProject(join(tmp, "projects", "demo")));
  });
});

// analyzeCommand() in this process, its stdout collected; `tty` as a terminal would be.
async function analyzeHere(args: string[], options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  let stdout = "";
  let stderr = "";
  const io = { stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false }, stderr: { write: (s: string) => (stderr += s) }, env: options.env ?? {} };
  const code = await analyzeCommand(args, io, tmp);
  return { code, stdout, stderr };
}

describe("conclave analyze on other runs", () => {
  it("colours the severities and headings on a terminal, and not with NO_COLOR", async () => {
    const colored = await analyzeHere([shown], { tty: true });
    expect(colored.code).toBe(0);
    expect(colored.stdout).toContain("\x1b[1mFindings\x1b[0m\n  \x1b[31mcritical\x1b[0m  circling: ");
    const plain = await analyzeHere([shown], { tty: true, env: { NO_COLOR: "1" } });
    expect(plain.stdout).not.toContain("\x1b[");
  });

  it("reports a single-agent run, which has no votes, with no finding and nothing to rerun, and writes no config for it", async () => {
    const result = await run({ task: TASK, config: join(tmp, "configs", "circling.yaml"), agent_mode: "single", runsDir: join(tmp, "single"), env: {} });
    const { code, stdout } = await analyzeHere([result.log_dir]);
    expect(code).toBe(0);
    expect(stdout.split("\n").slice(0, 5)).toEqual([expect.stringMatching(new RegExp(`^Run ${result.run_id} · completed · winner alpha · 1 round · `)), `Task: ${TASK}`, "", "Findings: none", "  Nothing wasted time or money that the analysis can see."]);
    expect(stdout).not.toContain("Rerun");
    const write = await analyzeHere([result.log_dir, "--write-config", "single.yaml"]);
    expect(write.stdout).toContain("\nNothing to change, so single.yaml was not written.\n");
    expect(existsSync(join(tmp, "single.yaml"))).toBe(false);
  });

  it("prints the JSON alone on stdout with --json --write-config, and what it wrote on stderr", async () => {
    const { code, stdout, stderr } = await analyzeHere([shown, "--json", "--write-config", "tuned-json.yaml"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).run_id).toBe(basename(circling));
    expect(stderr).toMatch(/^Wrote tuned-json\.yaml \(from configs\/circling\.yaml\): coordination\.max_rounds: 6 → 2; .*\.\n$/);
    expect(loadConfig(join(tmp, "tuned-json.yaml")).coordination.max_rounds).toBe(2);
  });

  it("reports a run killed while its agents worked as abandoned", async () => {
    const config = writeConfig(tmp, "hang.yaml", "agents:\n  - id: alpha\n    backend: { type: scripted, hang: true }\n  - id: beta\n    backend: { type: scripted, hang: true }\n");
    const ask = startCli(["ask", TASK, "--config", config, "--runs-dir", "hung", "--automation"], { cwd: tmp });
    const line = await ask.waitForLine(/^LOG_DIR: /, 15_000);
    ask.child.kill("SIGKILL");
    await ask.exited;
    const { code, stdout, stderr } = await runCli(["analyze", line.slice("LOG_DIR: ".length)], { cwd: tmp });
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout.split("\n")[0]).toMatch(/^Run \S+ · abandoned · no winner · \d+ rounds? · /);
  }, 30_000);
});

describe("conclave analyze refuses", () => {
  it("a directory that is neither a run nor a project: exit 1, naming it and what it lacks", async () => {
    mkdirSync(join(tmp, "notes"));
    writeFileSync(join(tmp, "notes", "todo.md"), "- nothing\n");
    expect(await runCli(["analyze", "notes"], { cwd: tmp })).toMatchObject({
      code: 1,
      stdout: "",
      stderr:
        "conclave: `notes` is neither a run nor a project: expected run_description.json (a run), or CONTEXT.md or runs/ (a project) in it, found 1 entry (todo.md). Pass a run directory such as `.conclave/runs/<run-id>`, `latest`, or a project directory such as `projects/demo`.\n",
    });
  });

  it("a path that does not exist, a project with --write-config, and two targets", async () => {
    const [missing, project, two] = await Promise.all([
      runCli(["analyze", "nope"], { cwd: tmp }),
      runCli(["analyze", "projects/demo", "--write-config", "tuned.yaml"], { cwd: tmp }),
      runCli(["analyze", "a", "b"], { cwd: tmp }),
    ]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: "conclave: `nope` does not exist: expected a run directory, its status.json, or a run id under `.conclave/runs/` or `projects/*/runs/`. Pass a run directory such as `.conclave/runs/<run-id>`, its status.json, or `latest`.\n",
    });
    expect(project).toMatchObject({ code: 1, stderr: "conclave: `--write-config` applies to one run, and `projects/demo` is a project. Pass one of its runs, such as `projects/demo/runs/<run-id>`.\n" });
    expect(two).toMatchObject({ code: 1, stderr: "conclave: `conclave analyze` takes one run or project, got 2: a b. Pass one run directory, a project, or none for the latest run.\n" });
  });

  it("to write a config when the run's config file is gone, saying what to change by hand", async () => {
    const gone = makeTempDir("conclave-analyze-gone-");
    try {
      copyFileSync(join(REPO, "test", "fixtures", "analyze-command", "circling.yaml"), join(gone, "circling.yaml"));
      const ask = await runCli(["ask", TASK, "--config", "circling.yaml", "--automation"], { cwd: gone });
      expect(ask.code, ask.stderr).toBe(0);
      rmSync(join(gone, "circling.yaml"));
      const { code, stdout, stderr } = await runCli(["analyze", "--write-config", "tuned.yaml"], { cwd: gone });
      expect([code, stdout]).toEqual([1, ""]);
      expect(stderr).toMatch(/^conclave: the run's config `circling\.yaml` is gone \(run_description\.json names it as `config_path`\)\. Restore it and run again, or apply the changes to your config by hand: coordination\.max_rounds: 2; .*\(A config is not rebuilt from run_description\.json: it does not record the agents' prompts, scripts or servers\.\)\n$/);
    } finally {
      removeDir(gone);
    }
  }, 30_000);
});
