import { describe, expect, it } from "vitest";
import { renderAnalysisReport } from "../../framework/runner/render-analysis-report.ts";
import { circlingReport } from "./analysis-report-fixture.ts";

describe("renderAnalysisReport()", () => {
  it("writes the findings first, then their evidence, the recommendations, the commands to rerun, then the agents", () => {
    const text = renderAnalysisReport(circlingReport(), { rerun: ["npx conclave analyze r --write-config tuned.yaml", 'npx conclave ask "t" --config tuned.yaml'] });
    expect(text).toBe(
      [
        "Run 20261202-033000-0123456789ab · completed · winner alpha · 6 rounds · 36 calls · 2.7 s · $0.0000",
        "Task: Name three risks of moving our API to HTTP/3",
        "",
        "Findings",
        "  warning  split_on_minor_differences: alpha, beta and gamma posted near-identical answers each round but voted each other down; 4 extra rounds with no progress.",
        "  info     slow_agent: gamma was the critical path: its slowest call took 12.0 s.",
        "",
        "Evidence",
        "  split_on_minor_differences (agents alpha, beta, gamma; rounds 2, 3, 4, 5, 6)",
        "    round 2: alpha.2 and beta.2 are 88% the same words; beta voted gamma.2",
        "    round 3: alpha.3 and gamma.3 are 91% the same words",
        "  slow_agent (agents gamma)",
        "    (no evidence lines)",
        "",
        "Recommendations",
        "  coordination.max_rounds: 2",
        "      why: rounds 3 to 6 changed nothing",
        "      expected: 2 rounds instead of 6, the same winner",
        "  coordination.voting: lenient",
        "      why: the answers differ only in style",
        "      expected: a winner in round 2",
        "",
        "Rerun with them",
        "  npx conclave analyze r --write-config tuned.yaml",
        '  npx conclave ask "t" --config tuned.yaml',
        "",
        "Agents",
        "  agent  calls  answers  votes  wins  tokens in/out     cost  call median/max  retries  failures  timeouts",
        "  -----  -----  -------  -----  ----  -------------  -------  ---------------  -------  --------  --------",
        "  alpha      6        3      3     1       1200/300  $0.0012    0.1 s / 0.3 s        0         0         0",
        "  beta       6        3      3     0       1200/300  $0.0012    0.1 s / 0.3 s        0         0         0",
        "  gamma      6        3      3     0       1200/300  $0.0012   1.5 s / 12.0 s        0         0         1",
        "  Time by phase: generation 0.4 s, voting 2.1 s, presentation 0.2 s; 15 restarts.",
        "",
      ].join("\n"),
    );
  });

  it("says there is nothing to fix on a clean run, and shows no rerun", () => {
    const text = renderAnalysisReport(circlingReport({ findings: [], recommendations: [], winner: null, status: "abandoned" }), { rerun: [] });
    expect(text.split("\n").slice(0, 6)).toEqual([
      "Run 20261202-033000-0123456789ab · abandoned · no winner · 6 rounds · 36 calls · 2.7 s · $0.0000",
      "Task: Name three risks of moving our API to HTTP/3",
      "",
      "Findings: none",
      "  Nothing wasted time or money that the analysis can see.",
      "",
    ]);
    expect(text).not.toContain("Recommendations");
    expect(text).not.toContain("Rerun");
  });

  it("puts what --write-config did before the rerun commands", () => {
    const text = renderAnalysisReport(circlingReport(), { rerun: ["npx conclave ask x"], notes: ["Wrote tuned.yaml (from c.yaml): coordination.max_rounds: 6 → 2."] });
    expect(text).toContain("      expected: a winner in round 2\n\n  Wrote tuned.yaml (from c.yaml): coordination.max_rounds: 6 → 2.\n\nRerun with them\n  npx conclave ask x\n");
  });

  it("colours severities and headings only when asked", () => {
    expect(renderAnalysisReport(circlingReport())).not.toMatch(/\x1b\[/);
    const colored = renderAnalysisReport(circlingReport(), { color: true });
    expect(colored).toContain("\x1b[1mFindings\x1b[0m\n  \x1b[33mwarning\x1b[0m  split_on_minor_differences:");
    expect(colored).toContain("  \x1b[36minfo   \x1b[0m  slow_agent:");
  });

  it("leads an evidence line with its round unless the line names it", () => {
    const report = circlingReport();
    report.findings[1]!.evidence = [{ text: "gamma.1 (round 1) is 83% the same words as beta.1", round: 1 }, { text: "its call took 12.0 s", round: 3 }];
    expect(renderAnalysisReport(report)).toContain("\n  slow_agent (agents gamma)\n    gamma.1 (round 1) is 83% the same words as beta.1\n    round 3: its call took 12.0 s\n");
  });

  it("shows the first line of a task of several lines", () => {
    expect(renderAnalysisReport(circlingReport({ task: "Plan the cache\n\nwith details" }))).toContain("\nTask: Plan the cache …\n");
  });
});
