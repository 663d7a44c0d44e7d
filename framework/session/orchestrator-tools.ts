import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../atomic-write.ts";
import type { ToolSpec } from "../models/model.ts";
import type { Project } from "../project/project.ts";
import { readCapped } from "../project/read-capped.ts";
import { confinePath as confineToRoot } from "../workspace/confine-path.ts";
import { LAUNCH_RUN_SCHEMA, parseLaunchRun, type LaunchRunArgs } from "../runs/launch-run.ts";
import { listFiles } from "./project-brief.ts";

/** The most of a file read_file returns. */
export const READ_FILE_BYTES = 64 * 1024;

const schemas = {
  run_status: z.strictObject({ run_id: z.string().min(1).optional().describe("One run; default: every run of this session.") }),
  read_run: z.strictObject({ run_id: z.string().min(1).describe("The run to read.") }),
  cancel_run: z.strictObject({ run_id: z.string().min(1).describe("The running run to cancel.") }),
  analyze_run: z.strictObject({ run_id: z.string().min(1).optional().describe("The run to analyze; default: this session's last run.") }),
  tell_run: z.strictObject({
    note: z.string().trim().min(1).describe("The note, as the person said it."),
    run_id: z.string().min(1).optional().describe("Default: the running run (the newest, if several)."),
  }),
  read_file: z.strictObject({ path: z.string().min(1).describe("A path relative to the project, e.g. CONTEXT.md or deliverables/plan.md.") }),
  list_files: z.strictObject({ path: z.string().optional().describe("A directory relative to the project (default: the project).") }),
  update_context: z.strictObject({
    content: z.string().describe("The text: the whole new CONTEXT.md (replace), or a section to add at its end (append)."),
    mode: z.enum(["replace", "append"]).default("append"),
  }),
  deliver: z.strictObject({
    path: z.string().min(1).describe("A path inside deliverables/, e.g. summary.md."),
    content: z.string(),
  }),
};

const DESCRIPTIONS: Record<string, string> = {
  launch_run: "Start a run of the team on a task (see the launch_run options in your instructions). Returns its compact result, or its id with wait: false.",
  run_status: "The status of this session's runs (running, completed, failed…), with phase, round, cost and time.",
  read_run: "A run's final answer, every agent's answers, the votes and their reasons, and the cost by agent; the partial results of a failed, timed-out or cancelled run.",
  cancel_run: "Cancel a running run; it ends as cancelled with what it had so far.",
  analyze_run:
    "Why a finished run was slow, costly or went in circles: its findings (kind, severity, summary, agents, rounds, evidence) and the recommended changes, with launch_run arguments (coordination_overrides, agents) ready to rerun the task with them.",
  tell_run: "Pass a note from the person to a running run's agents; they read it at their next turn.",
  read_file: "Read a file of the project (read-only), up to 64 KB.",
  list_files: "List the files under a directory of the project.",
  update_context: "Update the project's CONTEXT.md, its memory between sessions: decisions, state, what remains.",
  deliver: "Write a finished document to the project's deliverables/ (atomically).",
};

/** The orchestrator's tools as the model is offered them; `launch_run` is the contract's own schema. */
export const ORCHESTRATOR_TOOLS: ToolSpec[] = [
  { name: "launch_run", description: DESCRIPTIONS.launch_run!, parameters: jsonSchema(LAUNCH_RUN_SCHEMA) },
  ...Object.entries(schemas).map(([name, schema]) => ({ name, description: DESCRIPTIONS[name]!, parameters: jsonSchema(schema) })),
];

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** What the tools need of the session: its project and its runs. */
export interface ToolHost {
  project: Project | undefined;
  launch(args: LaunchRunArgs, signal?: AbortSignal): Promise<string>;
  runStatus(runId?: string): string;
  readRun(runId: string): string;
  cancel(runId: string): string;
  /** analyze_run's result: the compact analysis of a run (default: the session's last), or `Error: …`. */
  analyzeRun(runId?: string): Promise<string>;
  tell(note: string, runId?: string): string;
}

/**
 * Runs one orchestrator tool call and returns its result as the model reads it: JSON or text,
 * or `Error: …` naming the argument to fix. Never throws for the model's mistakes.
 *
 * @example
 * await callOrchestratorTool("read_file", { path: "CONTEXT.md" }, host); // "# Demo\n…"
 */
export async function callOrchestratorTool(name: string, args: unknown, host: ToolHost, signal?: AbortSignal): Promise<string> {
  if (name === "launch_run") {
    const parsed = parseLaunchRun(args);
    return parsed.ok ? host.launch(parsed.args, signal) : `Error: ${parsed.error}. Fix that argument and call launch_run again.`;
  }
  if (!Object.hasOwn(schemas, name)) return `Error: there is no tool \`${name}\`; the tools are ${ORCHESTRATOR_TOOLS.map((t) => t.name).join(", ")}.`;
  const parsed = schemas[name as keyof typeof schemas].safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || (issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys.join(", ") : "arguments");
    return `Error: ${name} \`${field}\`: ${issue.message}. Fix that argument and call ${name} again.`;
  }
  const a = parsed.data as Record<string, unknown>;
  try {
    switch (name) {
      case "run_status":
        return host.runStatus(a.run_id as string | undefined);
      case "read_run":
        return host.readRun(a.run_id as string);
      case "cancel_run":
        return host.cancel(a.run_id as string);
      case "analyze_run":
        return await host.analyzeRun(a.run_id as string | undefined);
      case "tell_run":
        return host.tell(a.note as string, a.run_id as string | undefined);
      case "read_file":
        return readProjectFile(needProject(host, name), a.path as string);
      case "list_files":
        return listProjectFiles(needProject(host, name), (a.path as string | undefined) ?? ".");
      case "update_context":
        return updateContext(needProject(host, name), a.content as string, a.mode as "replace" | "append");
      default: {
        const project = needProject(host, name);
        const path = project.deliver(a.path as string, a.content as string);
        return `Delivered ${relative(project.dir, path)}.`;
      }
    }
  } catch (error) {
    return `Error: ${(error as Error).message}`;
  }
}

function needProject(host: ToolHost, tool: string): Project {
  if (!host.project) throw new Error(`${tool} needs a project, and this session has none (start \`conclave chat --project <dir>\`).`);
  return host.project;
}

function readProjectFile(project: Project, path: string): string {
  const target = confineToRoot(project.dir, path);
  if (!existsSync(target)) return `Error: read_file \`path\`: ${path} does not exist in the project; list_files shows what does.`;
  const capped = readCapped(target, READ_FILE_BYTES);
  if (capped.binary) return `Error: read_file \`path\`: ${path} is a binary file (${capped.size} bytes).`;
  return capped.size > capped.bytes ? `${capped.text}\n(… ${capped.size - capped.bytes} more bytes not shown)` : capped.text;
}

function listProjectFiles(project: Project, path: string): string {
  const dir = confineToRoot(project.dir, path);
  const files = listFiles(dir, 500);
  const base = relative(project.dir, dir);
  return files.length ? files.map((p) => (base ? join(base, p) : p)).join("\n") : `(no files under ${path})`;
}

function updateContext(project: Project, content: string, mode: "replace" | "append"): string {
  const before = existsSync(project.contextPath) ? readFileSync(project.contextPath, "utf8") : "";
  const next = mode === "replace" ? `${content.trimEnd()}\n` : `${before.trimEnd()}${before.trim() ? "\n\n" : ""}${content.trimEnd()}\n`;
  writeFileAtomic(project.contextPath, next);
  return `CONTEXT.md updated (${Buffer.byteLength(next)} bytes).`;
}
