import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Project } from "../project/project.ts";
import { readCapped } from "../project/read-capped.ts";

/** How much of CONTEXT.md the orchestrator sees every turn; read_file reads the rest. */
export const BRIEF_CONTEXT_BYTES = 12 * 1024;
const MAX_LISTED = 50;

/**
 * The project as the orchestrator sees it each turn: CONTEXT.md (capped), the files of
 * filepaths.json with their descriptions, and the deliverables. Read afresh every turn, so
 * edits made meanwhile are seen.
 *
 * @example
 * projectBrief(openProject("projects/demo")); // "# Project: demo\n\n## CONTEXT.md\n…"
 */
export function projectBrief(project: Project | undefined): string {
  if (!project) return "# Project\n\n(none: this session has no project; runs go to .conclave/runs, and there is no CONTEXT.md to update)";
  const parts = [`# Project: ${project.name}`];
  const context = existsSync(project.contextPath) ? readCapped(project.contextPath, BRIEF_CONTEXT_BYTES) : undefined;
  parts.push(
    `## CONTEXT.md\n\n${context ? `${context.text.trim() || "(empty)"}${context.size > context.bytes ? `\n\n(… ${context.size - context.bytes} more bytes: read_file CONTEXT.md)` : ""}` : "(missing)"}`,
  );
  let listed: string[];
  try {
    const f = project.filepaths();
    listed = [...f.files, ...f.directories].map((e) => `- ${e.path}${e.description ? `: ${e.description}` : ""}`);
  } catch (error) {
    listed = [`(filepaths.json cannot be read: ${(error as Error).message})`];
  }
  parts.push(`## Files the agents see (filepaths.json)\n\n${listed.length ? capList(listed) : "(none listed)"}`);
  const delivered = listFiles(project.deliverablesDir).map((p) => `- ${p}`);
  parts.push(`## Deliverables (deliverables/)\n\n${delivered.length ? capList(delivered) : "(none yet)"}`);
  return parts.join("\n\n");
}

function capList(lines: string[]): string {
  return lines.length <= MAX_LISTED ? lines.join("\n") : `${lines.slice(0, MAX_LISTED).join("\n")}\n- … ${lines.length - MAX_LISTED} more`;
}

/** Directories never listed: the framework's own records, version control and installed packages. */
const NOT_LISTED = new Set(["runs", "sessions", ".git", "node_modules", ".conclave"]);

// The regular files under `dir`, relative to it, sorted, up to `limit`; a missing directory lists nothing.
export function listFiles(dir: string, limit = 1000): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      const path = join(d, name);
      const s = statSync(path, { throwIfNoEntry: false });
      if (s?.isDirectory()) {
        if (!NOT_LISTED.has(name)) walk(path);
      }
      else if (s?.isFile()) out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out;
}
