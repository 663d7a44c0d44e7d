import { z } from "zod";
import type { ToolSpec } from "../../models/model.ts";
import type { ToolboxSettings } from "../toolbox-options.ts";

/** What a tool call returns to the model: `ok: false` with a message the agent can act on. */
export interface ToolResult {
  ok: boolean;
  content: string;
}

/** A workspace tool: its spec for the model, and a `run` that validates its arguments first. */
export interface WorkspaceTool {
  spec: ToolSpec;
  run(args: unknown, settings: ToolboxSettings, signal?: AbortSignal): Promise<ToolResult>;
}

/**
 * Declares a workspace tool from a zod schema: the spec's `parameters` is the schema's JSON
 * Schema (as input, so defaulted fields are optional), and `run` receives parsed arguments or
 * never runs, the model getting a message naming each bad argument instead.
 *
 * @example
 * export const readFileTool = defineTool({
 *   name: "read_file",
 *   description: "Read a text file.",
 *   args: z.strictObject({ path: z.string() }),
 *   run: async ({ path }, settings) => ({ ok: true, content: "…" }),
 * });
 */
export function defineTool<S extends z.ZodType>(definition: {
  name: string;
  description: string;
  args: S;
  run(args: z.output<S>, settings: ToolboxSettings, signal?: AbortSignal): Promise<ToolResult>;
}): WorkspaceTool {
  const { name, description, args, run } = definition;
  let spec: ToolSpec | undefined;
  return {
    // Made at first use, not when the module loads: every process loads the tools, few runs offer them all.
    get spec() {
      spec ??= { name, description, parameters: z.toJSONSchema(args, { io: "input" }) as Record<string, unknown> };
      return spec;
    },
    async run(raw, settings, signal) {
      const parsed = args.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `\`${i.path.join(".") || "arguments"}\`: ${i.message}`);
        return { ok: false, content: `Invalid arguments for ${name}: ${problems.join("; ")}.` };
      }
      return run(parsed.data, settings, signal);
    },
  };
}
