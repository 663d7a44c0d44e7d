import { describe, expect, it } from "vitest";
import type { ProjectReport } from "../../framework/analysis/analysis-report.ts";
import { renderProjectReport } from "../../framework/runner/render-project-report.ts";

const REPORT: ProjectReport = {
  project_dir: "/work/app/projects/demo",
  runs: [
    { run_id: "20261202-010000-aaaaaaaaaaaa", step: "plan", workflow: "feature", status: "completed", cost_usd: 0.03, duration_s: 90, calls: 30, findings: ["circling"] },
    { run_id: "20261202-011000-bbbbbbbbbbbb", step: "implement", workflow: "feature", status: "abandoned", cost_usd: 0.01, duration_s: 30, calls: 10, findings: [] },
  ],
  steps: [
    { step: "plan", runs: 1, cost_usd: 0.03, duration_s: 90, calls: 30 },
    { step: "implement", runs: 1, cost_usd: 0.01, duration_s: 30, calls: 10 },
  ],
  totals: { runs: 2, cost_usd: 0.04, duration_s: 120, calls: 40 },
  unfinished: ["20261202-011000-bbbbbbbbbbbb"],
};

describe("renderProjectReport()", () => {
  it("shows the totals, the steps by cost with their share, the runs, and the runs abandoned or failed", () => {
    expect(renderProjectReport(REPORT, { shownDir: "projects/demo" })).toBe(
      [
        "Project projects/demo · 2 runs · 2 m 00 s · $0.0400 · 40 calls",
        "",
        "By step, the costliest first",
        "  step       runs     cost  share of cost      time  share of time  calls",
        "  ---------  ----  -------  -------------  --------  -------------  -----",
        "  plan          1  $0.0300            75%  1 m 30 s            75%     30",
        "  implement     1  $0.0100            25%    30.0 s            25%     10",
        "",
        "By run",
        "  run                           step       status        cost      time  calls  findings",
        "  ----------------------------  ---------  ---------  -------  --------  -----  --------",
        "  20261202-010000-aaaaaaaaaaaa  plan       completed  $0.0300  1 m 30 s     30  circling",
        "  20261202-011000-bbbbbbbbbbbb  implement  abandoned  $0.0100    30.0 s     10  -",
        "",
        "Abandoned or failed",
        "  20261202-011000-bbbbbbbbbbbb  abandoned",
        "",
        "Analyze one run: npx conclave analyze projects/demo/runs/20261202-011000-bbbbbbbbbbbb",
        "",
      ].join("\n"),
    );
  });

  it("says how to start when the project has no runs", () => {
    expect(renderProjectReport({ ...REPORT, runs: [], steps: [], unfinished: [], totals: { runs: 0, cost_usd: 0, duration_s: 0, calls: 0 } }, { shownDir: "projects/demo" })).toBe(
      "Project projects/demo · 0 runs · 0.0 s · $0.0000 · 0 calls\nNo runs yet: run a workflow on it (`npx conclave run workflows/feature.ts --project projects/demo`).\n",
    );
  });
});
