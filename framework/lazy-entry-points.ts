// The public API's heavier entry points, each loaded on its first call: importing "conclave" for
// run() alone reads none of the runner's, the sessions' or the analysis' modules (a third of the
// framework). Each has the type of the function it loads; the types are exported beside them.

type Workflow = typeof import("./runner/workflow.ts").workflow;
type OpenSession = typeof import("./session/open-session.ts").openSession;
type AnalyzeRun = typeof import("./analysis/analyze-run.ts").analyzeRun;
type AnalyzeProject = typeof import("./analysis/analyze-project.ts").analyzeProject;

/**
 * runner/workflow.ts's workflow(), loaded on the call.
 *
 * @example
 * await workflow("feature", async ({ plan, execute }) => execute((await plan("Add a CSV export")).summary));
 */
export const workflow: Workflow = async (...args) => (await import("./runner/workflow.ts")).workflow(...args);

/**
 * session/open-session.ts's openSession(), loaded on the call.
 *
 * @example
 * const session = await openSession({ project: "projects/demo" });
 */
export const openSession: OpenSession = async (...args) => (await import("./session/open-session.ts")).openSession(...args);

/**
 * analysis/analyze-run.ts's analyzeRun(), loaded on the call.
 *
 * @example
 * const report = await analyzeRun("projects/demo/runs/20260101-120000-abcd");
 */
export const analyzeRun: AnalyzeRun = async (...args) => (await import("./analysis/analyze-run.ts")).analyzeRun(...args);

/**
 * analysis/analyze-project.ts's analyzeProject(), loaded on the call.
 *
 * @example
 * const report = await analyzeProject("projects/demo");
 */
export const analyzeProject: AnalyzeProject = async (...args) => (await import("./analysis/analyze-project.ts")).analyzeProject(...args);
