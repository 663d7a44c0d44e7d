// The public API of Conclave: everything a workflow script or a program may import from "conclave".
// workflow, openSession, analyzeRun and analyzeProject load their modules on the first call (lazy-entry-points.ts).

export { workflow } from "./lazy-entry-points.ts";
export { z } from "zod";
export type { WorkflowContext, WorkflowSummary } from "./runner/workflow.ts";

export { run } from "./runs/run.ts";
export { resumeRun } from "./runs/resume-run.ts";
export type { ResumeOptions } from "./runs/resume-run.ts";
export { PLAN_SCHEMA, VERDICT_SCHEMA } from "./runs/presets.ts";
export type { Plan, Verdict, PresetOptions } from "./runs/presets.ts";
export type { RunOptions, ContextPath } from "./runs/run-options.ts";
export type { AskHuman, HumanQuery } from "./workspace/human-query.ts";
export { createRunNotes } from "./runs/run-notes.ts";
export type { RunNotes } from "./runs/run-notes.ts";

export { openSession } from "./lazy-entry-points.ts";
export type { Session, SessionEvent, SessionRecord, StoredMessage, OpenSessionOptions, ApprovalAnswer } from "./session/session-types.ts";
export { LAUNCH_RUN_SCHEMA } from "./runs/launch-run.ts";
export type { LaunchRunArgs, LaunchRunResult } from "./runs/launch-run.ts";

export { openProject } from "./project/open-project.ts";
export { initProject } from "./project/init-project.ts";
export type { Project } from "./project/project.ts";
export type { RunResult } from "./runs/run-result.ts";
export type { StatusJson } from "./runs/status-json.ts";
export type { JournalEvent } from "./runs/run-directory.ts";
export type { RunStatus } from "./coordination/run-context.ts";

export { analyzeRun, analyzeProject } from "./lazy-entry-points.ts";
export { NotARunError } from "./analysis/not-a-run-error.ts";
export type { AnalysisReport, Finding, FindingKind, Evidence, Recommendation, RunMetrics, AgentMetrics, ProjectReport } from "./analysis/analysis-report.ts";

export { loadConfig, parseConfig, validateConfig } from "./config/load-config.ts";
export type { ConclaveConfig, ConfigInput, AgentConfig, BackendConfig } from "./config/config-schema.ts";

export type { ModelClient, CompletionRequest, Completion, ChatMessage, ToolSpec, ToolCall, Usage } from "./models/model.ts";

export { SimulatedClock, systemClock } from "./clock.ts";
export type { Clock } from "./clock.ts";

export { ConclaveError, ConfigError, ModelApiError, RateLimitError, RunTimeoutError, WorkspaceEscapeError } from "./errors.ts";

export { EXIT, exitCodeFor } from "./runner/exit-codes.ts";
