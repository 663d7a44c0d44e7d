import { isAbsolute } from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import type { CommandPolicy } from "./command-policy.ts";

export interface ToolboxOptions {
  /** The agent's workspace, absolute. */
  root: string;
  /** False for plan and verify runs: `write_file` and `edit_file` are not offered. */
  writable: boolean;
  /** Read-only views, e.g. `{ B: "/abs/other-agent-workspace" }`, reachable as `@B/<path>`. */
  views?: Record<string, string>;
  /** `run_command` is offered only when `allow` is non-empty; `deny` wins. */
  commands?: CommandPolicy;
  /** How long a command may run before its process tree is killed. Default 30 000. */
  commandTimeoutMs?: number;
  /** Cap on `run_command` output and on what `read_file` returns. Default 64 KiB. */
  maxOutputBytes?: number;
  /** Cap on the content `write_file` writes, in bytes. Default 10 MB (10 000 000). */
  maxWriteBytes?: number;
  /** How long one `search_files` may run before it is stopped and the agent told so. Default 10 000. */
  searchTimeoutMs?: number;
  /** Base environment for commands (default `process.env`); secrets are removed from it. */
  env?: NodeJS.ProcessEnv;
  /** Asks the human a question; resolves to null when nobody is there. */
  askHuman?: (question: string) => Promise<string | null>;
  /** Called after every tool call, for the run's journal (e.g. a refused command). */
  onEvent?: (event: ToolEvent) => void;
}

/** What a tool call did, for the journal; `detail` is one line. */
export interface ToolEvent {
  tool: string;
  ok: boolean;
  detail: string;
}

/** ToolboxOptions with every default filled in. */
export type ToolboxSettings = Required<Omit<ToolboxOptions, "askHuman" | "onEvent">> &
  Pick<ToolboxOptions, "askHuman" | "onEvent">;

const absolutePath = z.string().refine(isAbsolute, { message: "must be an absolute path" });

const optionsSchema = z.object({
  root: absolutePath,
  writable: z.boolean(),
  views: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, { message: "view names are letters, digits, - and _" }), absolutePath)
    .default({}),
  commands: z
    .object({ allow: z.array(z.string().min(1)), deny: z.array(z.string().min(1)) })
    .default({ allow: [], deny: [] }),
  commandTimeoutMs: z.number().int().positive().default(30_000),
  maxOutputBytes: z.number().int().min(256).default(64 * 1024),
  maxWriteBytes: z.number().int().positive().default(10_000_000),
  searchTimeoutMs: z.number().int().positive().default(10_000),
});

/**
 * Fills in the defaults of ToolboxOptions once and validates them, throwing a ConfigError that
 * names each bad option and its value.
 *
 * @example
 * normalizeToolboxOptions({ root: "/tmp/ws", writable: true }).commandTimeoutMs; // 30000
 */
export function normalizeToolboxOptions(options: ToolboxOptions): ToolboxSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const received = issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown>)?.[key], options);
      return `\`${issue.path.join(".")}\` ${issue.message} (received ${JSON.stringify(received)})`;
    });
    throw new ConfigError(`createToolbox: invalid options: ${problems.join("; ")}.`);
  }
  return {
    ...parsed.data,
    env: options.env ?? process.env,
    askHuman: options.askHuman,
    onEvent: options.onEvent,
  };
}
