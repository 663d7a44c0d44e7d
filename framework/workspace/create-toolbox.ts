import type { ToolSpec } from "../models/model.ts";
import { ConclaveError } from "../errors.ts";
import { allowedCommands } from "./command-policy.ts";
import { describeFsError } from "./describe-fs-error.ts";
import { normalizeToolboxOptions, type ToolboxOptions, type ToolboxSettings } from "./toolbox-options.ts";
import { askHumanTool } from "./tools/ask-human.ts";
import type { ToolResult, WorkspaceTool } from "./tools/define-tool.ts";
import { editFileTool } from "./tools/edit-file.ts";
import { listFilesTool } from "./tools/list-files.ts";
import { readFileTool } from "./tools/read-file.ts";
import { runCommandTool } from "./tools/run-command.ts";
import { searchFilesTool } from "./tools/search-files.ts";
import { writeFileTool } from "./tools/write-file.ts";

/** The tools an agent may call in its workspace. */
export interface Toolbox {
  /** The specs to offer the model, in a stable order. */
  specs: ToolSpec[];
  has(name: string): boolean;
  /** Runs a tool; failures the agent can act on come back as `ok: false`, never thrown. */
  call(name: string, args: unknown, signal?: AbortSignal): Promise<ToolResult>;
}

/**
 * Builds the workspace tools for one agent: `read_file`, `list_files`, `search_files` and
 * `ask_human` always; `write_file` and `edit_file` when `writable`; `run_command` when
 * `commands.allow` is non-empty, confined by `commands.sandbox` (bubblewrap by default). Every path is confined to the workspace (or to a read-only
 * view, `@B/…`). Options are validated here (a ConfigError names the bad one).
 *
 * @example
 * const tools = createToolbox({ root: "/tmp/ws", writable: true, commands: { allow: ["node"], deny: [] } });
 * await tools.call("write_file", { path: "a.md", content: "# A\n" }); // { ok: true, content: 'Wrote "a.md" (4 bytes).' }
 * await tools.call("read_file", { path: "../secret" }); // { ok: false, content: 'Refused path "../secret": …' }
 */
export function createToolbox(options: ToolboxOptions): Toolbox {
  const settings = normalizeToolboxOptions(options);
  const offered: WorkspaceTool[] = [
    readFileTool,
    ...(settings.writable ? [writeFileTool, editFileTool] : []),
    listFilesTool,
    searchFilesTool,
    ...(settings.commands.allow.length > 0 ? [runCommandTool] : []),
    askHumanTool,
  ];
  const byName = new Map(offered.map((tool) => [tool.spec.name, tool]));
  const report = (tool: string, args: unknown, result: ToolResult): ToolResult => {
    const detail = result.ok ? `${tool} ${oneLine(JSON.stringify(args) ?? "")}` : oneLine(result.content);
    settings.onEvent?.({ tool, ok: result.ok, detail });
    return result;
  };

  return {
    specs: offered.map((tool) =>
      tool === runCommandTool
        ? { ...tool.spec, description: `${tool.spec.description} Allowed programs: ${allowedCommands(settings.commands).join(", ")}. ${boundary(settings)}` }
        : tool.spec,
    ),
    has: (name) => byName.has(name),
    async call(name, args, signal) {
      const tool = byName.get(name);
      if (!tool) {
        const known = [...byName.keys()].join(", ");
        return report(name, args, { ok: false, content: `There is no tool "${name}" in this run. Available tools: ${known}.` });
      }
      if (signal?.aborted) return report(name, args, { ok: false, content: `${name} was cancelled.` });
      try {
        return report(name, args, await tool.run(args, settings, signal));
      } catch (error) {
        const message = error instanceof ConclaveError ? error.message : describeFsError(error, pathOf(args));
        if (message === null) throw error;
        return report(name, args, { ok: false, content: message });
      }
    },
  };
}

// What run_command's description tells the agent about where its commands run.
function boundary(settings: ToolboxSettings): string {
  if (settings.commands.sandbox === "none") return "Commands run without a sandbox.";
  const network = settings.commands.network ? "the network is reachable" : "there is no network";
  return `Commands run in a sandbox: your workspace and a private /tmp are the only writable places, and ${network}.`;
}

// The path argument of a call, for error messages.
function pathOf(args: unknown): string {
  const path = (args as { path?: unknown } | null)?.path;
  return typeof path === "string" && path !== "" ? path : ".";
}

function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
