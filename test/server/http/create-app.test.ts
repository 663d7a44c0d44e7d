import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeRun } from "../../../framework/analysis/analyze-run.ts";
import { createHttpApp } from "../../../framework/server/http/create-app.ts";
import { circling } from "../../fixtures/analysis/scenarios.ts";
import { makeTempDir, removeDir } from "../../support/cli-process.ts";
import { handMadeRun } from "../../support/hand-made-run.ts";
import { startHttp, stopHttp } from "../../support/http-server.ts";
import { cleanRuns, runScripted, scripted } from "../../support/scripted-run.ts";

const temps: string[] = [];

afterAll(async () => {
  await stopHttp();
  cleanRuns();
  for (const dir of temps) removeDir(dir);
});

describe("GET /api/runs and /api/runs/<id>, over loopback", () => {
  it("lists a finished run and a run going, newest first, as `conclave runs --json` does", async () => {
    const { result, runsDir } = await runScripted({ agents: [scripted("alpha"), scripted("beta")] });
    const going = handMadeRun(runsDir, ["alpha", "beta"], "29991231-235959-0123456789ab");
    const server = await startHttp({ runsDir });
    const response = await fetch(`${server.url}/api/runs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const { runs } = (await response.json()) as { runs: Record<string, unknown>[] };
    expect(runs.map((r) => [r.run_id, r.status])).toEqual([
      [going.runId, "starting"],
      [result.run_id, "completed"],
    ]);
    expect(runs[1]).toEqual({
      run_id: result.run_id,
      status: "completed",
      winner: "alpha",
      cost_usd: 0,
      started_at: result.started_at,
      elapsed_seconds: 0.3,
      log_dir: result.log_dir,
      task: "Design a cache for the API",
    });
  });

  it("gives a run's status, result, description, and every answer and vote with its reason", async () => {
    const { result, runsDir, files } = await runScripted({ agents: [scripted("alpha"), scripted("beta")] });
    const server = await startHttp({ runsDir });
    const response = await fetch(`${server.url}/api/runs/${result.run_id}`);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as Record<string, unknown>;
    expect(detail.status).toEqual(files.status);
    expect(detail.result).toEqual(files.result);
    expect(detail.description).toEqual(files.description);
    expect((detail.run as Record<string, unknown>).status).toBe("completed");
    expect(detail.votes).toEqual([
      { voter: "alpha", round: 2, t: 200, label: "B", target: "beta.1", reason: "Answer B is the most complete (63 words)." },
      { voter: "beta", round: 2, t: 200, label: "A", target: "alpha.1", reason: "Answer A is the most complete (39 words)." },
    ]);
    const answers = detail.answers as { agent: string; version: string; label: string; round: number; final: boolean; content: string }[];
    expect(answers.map((a) => [a.version, a.label, a.round, a.final])).toEqual([
      ["alpha.1", "A", 1, false],
      ["beta.1", "B", 1, false],
      ["alpha.final", "A", 2, true],
    ]);
    expect(answers[2]!.content).toBe(result.answer);
  });

  it("reports a run whose process is gone as abandoned, with why", async () => {
    const runsDir = makeTempDir("conclave-http-");
    temps.push(runsDir);
    const run = handMadeRun(runsDir, ["alpha"]);
    // A status.json still `running`, written by a pid that does not exist on this host.
    const description = JSON.parse(readFileSync(join(run.dir, "run_description.json"), "utf8"));
    writeFileSync(join(run.dir, "run_description.json"), JSON.stringify({ ...description, pid: 2 ** 22 + 17 }));
    writeFileSync(
      join(run.dir, "status.json"),
      JSON.stringify({ meta: { pid: 2 ** 22 + 17, host: description.host, heartbeat_at: new Date().toISOString(), elapsed_seconds: 3, question: "q" }, coordination: {}, agents: {}, results: { status: "running", winner: null }, usage: { cost_usd: 0 } }),
    );
    const server = await startHttp({ runsDir });
    const { runs } = (await (await fetch(`${server.url}/api/runs`)).json()) as { runs: { run_id: string; status: string }[] };
    expect(runs.find((r) => r.run_id === run.runId)!.status).toBe("abandoned");
    const detail = (await (await fetch(`${server.url}/api/runs/${run.runId}`)).json()) as { status: { results: { status: string; status_reason: string } } };
    expect(detail.status.results).toEqual({ status: "abandoned", status_reason: `its process (pid ${2 ** 22 + 17} on ${description.host}) is gone`, winner: null });
  });

  it("answers 404 with a JSON error for a run id that is well formed but not there, and for an unknown route", async () => {
    const { runsDir } = await runScripted({ agents: [scripted("alpha")] });
    const server = await startHttp({ runsDir });
    const missing = await fetch(`${server.url}/api/runs/20200101-000000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "no run 20200101-000000-000000000000 in this server's runs directory. GET /api/runs lists the runs there." });
    const unknown = await fetch(`${server.url}/api/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error:
        "no route GET /api/nothing: the API is GET /api/runs, POST /api/runs, GET /api/runs/<id>, GET /api/runs/<id>/events, GET /api/runs/<id>/analysis, POST /api/runs/<id>/cancel, GET /api/queries, POST /api/queries/<id>, and the viewer is at /.",
    });
  });

  it("gives a run's analysis (the report of `conclave analyze --json`) at /analysis; a bad id is 400, an unknown one 404", async () => {
    const { result, runsDir } = await runScripted(circling());
    const server = await startHttp({ runsDir });
    const response = await fetch(`${server.url}/api/runs/${result.run_id}/analysis`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const report = (await response.json()) as Awaited<ReturnType<typeof analyzeRun>>;
    expect(report).toEqual(JSON.parse(JSON.stringify(await analyzeRun(result.log_dir))));
    expect(report.findings.map((f) => f.kind)).toEqual(["circling", "split_on_minor_differences", "redundant_agent"]);
    expect(report.recommendations[0]).toMatchObject({ change: "coordination.max_rounds: 2", set: { "coordination.max_rounds": 2 } });

    const bad = await fetch(`${server.url}/api/runs/..%2F..%2Fetc/analysis`);
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${server.url}/api/runs/20200101-000000-000000000000/analysis`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "no run 20200101-000000-000000000000 in this server's runs directory. GET /api/runs lists the runs there." });
    // A run directory without its events yet (just made) is not a run to analyze: 404, saying why.
    mkdirSync(join(runsDir, "20200101-000000-0000000000ab"));
    writeFileSync(join(runsDir, "20200101-000000-0000000000ab", "run_description.json"), "{}");
    const early = await fetch(`${server.url}/api/runs/20200101-000000-0000000000ab/analysis`);
    expect(early.status).toBe(404);
    expect(((await early.json()) as { error: string }).error).toMatch(/^run 20200101-000000-0000000000ab cannot be analyzed yet: .* events\.jsonl is missing\./);
  });

  it("answers 501 for launching, cancelling and queries when made without a launcher and a query board (read-only)", async () => {
    const { runsDir, result } = await runScripted({ agents: [scripted("alpha")] });
    const server = await startHttp({ runsDir });
    const calls: [string, string, string][] = [
      ["POST", "/api/runs", "POST /api/runs (launch a run)"],
      ["POST", `/api/runs/${result.run_id}/cancel`, "POST /api/runs/<id>/cancel"],
      ["GET", "/api/queries", "GET /api/queries"],
      ["POST", "/api/queries/q1", "POST /api/queries/<id> (answer a query)"],
    ];
    for (const [method, path, what] of calls) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status, path).toBe(501);
      expect(await response.json()).toEqual({ error: `${what} is not served here: this server only reads runs (it was made without a run launcher and a query board).` });
    }
  });

  it("serves a project's runs/ when given the project", async () => {
    const project = makeTempDir("conclave-http-project-");
    temps.push(project);
    const going = handMadeRun(join(project, "runs"));
    const server = await startHttp({ project });
    const { runs } = (await (await fetch(`${server.url}/api/runs`)).json()) as { runs: { run_id: string }[] };
    expect(runs.map((r) => r.run_id)).toEqual([going.runId]);
  });

  it("refuses to be made with neither a runs directory nor a project, naming both", () => {
    expect(() => createHttpApp({ host: "127.0.0.1", port: 0 })).toThrow(
      "createHttpApp() needs one of `runsDir` and `project`, got neither. Pass the directory of run directories, or a project directory.",
    );
  });
});
