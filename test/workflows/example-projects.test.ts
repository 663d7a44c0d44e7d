import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "vitest";
import { makeTempDir, removeDir, REPO } from "../support/cli-process.ts";
import { runWorkflow } from "../support/workflow-process.ts";

// The example workflows on the projects shipped with them (README "Workflows and projects"),
// offline: each runs to the end on a copy of its project and delivers something that reflects it.

/** A copy of projects/<name> (its shipped files; no runs/ and no deliverables but .gitkeep) in a temp dir of the test's own. */
function copyProject(name: string, onTestFinished: TestContext["onTestFinished"]): string {
  const tmp = makeTempDir(`conclave-example-${name}-`);
  onTestFinished(() => removeDir(tmp));
  const dir = join(tmp, name);
  cpSync(join(REPO, "projects", name), dir, { recursive: true, filter: (src) => !src.includes(`${join("projects", name)}/runs`) && !/\/deliverables\/(?!\.gitkeep$)./.test(src) });
  return dir;
}

describe.concurrent("the example workflows on their shipped projects", () => {
  it("review.ts --dry-run on projects/review finds issues, each in a file the project lists", async ({ expect, onTestFinished }) => {
    const project = copyProject("review", onTestFinished);
    const listed = (JSON.parse(readFileSync(join(project, "filepaths.json"), "utf8")) as { files: { path: string }[] }).files.map((f) => f.path);
    expect(listed).toEqual(["src/rate-limiter.ts", "src/retry.ts"]);
    const outcome = await runWorkflow("workflows/review.ts", ["--project", project, "--dry-run"]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^2 issue\(s\) agreed by vote \(.+\) in 2 file\(s\): src\/rate-limiter\.ts, src\/retry\.ts$/m);
    const review = readFileSync(join(project, "deliverables", "review.md"), "utf8");
    const issues = review.split("\n").filter((l) => l.startsWith("- **"));
    expect(issues.length).toBeGreaterThanOrEqual(1);
    for (const issue of issues) expect(listed.some((file) => issue.includes(`\`${file}\``)), issue).toBe(true);
    expect(review).toContain("- **high** `src/rate-limiter.ts` Issue 1 in src/rate-limiter.ts: ");
  });

  it("research.ts --dry-run on projects/research delivers research.md, an answer that names the sources it was shown", async ({ expect, onTestFinished }) => {
    const project = copyProject("research", onTestFinished);
    const outcome = await runWorkflow("workflows/research.ts", ["--project", project, "--dry-run"]);
    expect(outcome.code, outcome.stderr).toBe(0);
    const research = readFileSync(join(project, "deliverables", "research.md"), "utf8");
    expect(research.split("\n")[0]).toBe("# Which transport should the API server use for live updates: WebSockets, SSE or long polling?");
    expect(research).toContain("This rests on what the project shows: `sources/websockets.md`, `sources/sse.md`, `sources/long-polling.md`.");
  });

  it("feature.ts (npm start's workflow) on projects/demo delivers summary.md, and says which backend `auto` chose once, not once per run", async ({ expect, onTestFinished }) => {
    const project = copyProject("demo", onTestFinished);
    // No --dry-run: configs/default.yaml's `auto` agents fall back to the scripted backend with no key set.
    const outcome = await runWorkflow("workflows/feature.ts", ["--project", project]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(existsSync(join(project, "deliverables", "summary.md"))).toBe(true);
    expect(readFileSync(join(project, "deliverables", "summary.md"), "utf8")).toMatch(/^# WebSocket support\n/);
    expect(outcome.stderr.split("\n").filter((l) => l.startsWith("Backend: "))).toEqual([
      "Backend: scripted (offline), because no ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL is set.",
    ]);
    // Seven runs: the plan, then an execute and a verify for each of its three steps.
    expect(outcome.stderr.split("\n").filter((l) => l.startsWith("Run completed. "))).toHaveLength(7);
  });
});
