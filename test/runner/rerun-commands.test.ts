import { describe, expect, it } from "vitest";
import { rerunCommands } from "../../framework/runner/rerun-commands.ts";
import { circlingReport } from "./analysis-report-fixture.ts";

const TWO = { change: "--agents alpha,beta", why: "gamma repeats alpha", expected: "a third less cost", agents: ["alpha", "beta"] };

describe("rerunCommands()", () => {
  it("writes the tuned config, then asks the run's task again on it", () => {
    expect(rerunCommands(circlingReport(), { origin: { kind: "ask" }, runDir: ".conclave/runs/r1", config: "configs/circling.yaml" })).toEqual([
      "npx conclave analyze .conclave/runs/r1 --write-config tuned.yaml",
      'npx conclave ask "Name three risks of moving our API to HTTP/3" --config tuned.yaml',
    ]);
  });

  it("uses the config --write-config wrote, and reruns a workflow step with --fresh", () => {
    expect(rerunCommands(circlingReport(), { origin: { kind: "workflow", workflow: "feature", step: "plan" }, runDir: "r1", config: "c.yaml", written: "my tuned.yaml" })).toEqual([
      "npx conclave run <feature.ts> --config 'my tuned.yaml' --fresh      (workflow feature, step plan)",
    ]);
  });

  it("adds the --agents alternative when the only change is which agents run, also for a run whose config is gone", () => {
    const report = circlingReport({ recommendations: [TWO] });
    expect(rerunCommands(report, { origin: { kind: "ask" }, runDir: "r1", config: "c.yaml" })).toEqual([
      "npx conclave analyze r1 --write-config tuned.yaml",
      'npx conclave ask "Name three risks of moving our API to HTTP/3" --config tuned.yaml',
      'or: npx conclave ask "Name three risks of moving our API to HTTP/3" --config c.yaml --agents alpha,beta',
    ]);
    expect(rerunCommands(report, { origin: { kind: "ask" }, runDir: "r1", config: null })).toEqual(['npx conclave ask "Name three risks of moving our API to HTTP/3" --agents alpha,beta']);
  });

  it("repeats the --agents and --mode single the run was given, unless a recommendation picks the agents", () => {
    const context = { origin: { kind: "ask" } as const, runDir: "r1", config: "c.yaml", written: "t.yaml", runAgents: ["beta", "alpha"], single: true };
    expect(rerunCommands(circlingReport(), context)).toEqual(['npx conclave ask "Name three risks of moving our API to HTTP/3" --config t.yaml --agents beta,alpha --mode single']);
    expect(rerunCommands(circlingReport({ recommendations: [TWO] }), { ...context, single: false })).toEqual([
      'npx conclave ask "Name three risks of moving our API to HTTP/3" --config t.yaml',
      'or: npx conclave ask "Name three risks of moving our API to HTTP/3" --config c.yaml --agents alpha,beta',
    ]);
  });

  it("repeats the --runs-dir of an ask run, but not for a workflow", () => {
    expect(rerunCommands(circlingReport(), { origin: { kind: "ask" }, runDir: "r", config: "c.yaml", written: "t.yaml", runsDir: "my runs" })).toEqual(['npx conclave ask "Name three risks of moving our API to HTTP/3" --config t.yaml --runs-dir \'my runs\'']);
    expect(rerunCommands(circlingReport(), { origin: { kind: "workflow", workflow: "feature", step: null }, runDir: "r", config: "c.yaml", written: "t.yaml", runsDir: "projects/demo/runs" })).toEqual([
      "npx conclave run <feature.ts> --config t.yaml --fresh      (workflow feature)",
    ]);
  });

  it("quotes a task the shell would expand, and shows a long or multi-line one as <task>", () => {
    const line = (task: string) => rerunCommands(circlingReport({ task }), { origin: { kind: "ask" }, runDir: "r", config: "c.yaml", written: "t.yaml" })[0];
    expect(line("Why does $HOME say \"it's\"?")).toBe(`npx conclave ask 'Why does $HOME say "it'\\''s"?' --config t.yaml`);
    expect(line("Plan\nit")).toBe('npx conclave ask "<task>" --config t.yaml');
    expect(line("x".repeat(121))).toBe('npx conclave ask "<task>" --config t.yaml');
  });

  it("is empty when nothing is recommended", () => {
    expect(rerunCommands(circlingReport({ recommendations: [] }), { origin: { kind: "ask" }, runDir: "r", config: "c.yaml" })).toEqual([]);
  });
});
