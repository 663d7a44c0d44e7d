import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { dotEnvFiles } from "../dot-env-files.ts";
import { ConfigError } from "../errors.ts";
import type { CommandPolicy } from "./command-policy.ts";
import type { AskHuman } from "./human-query.ts";
import type { SandboxMode } from "./sandbox/choose-sandbox.ts";

/** The `commands` of a config: which programs (`allow`, `deny`) and how they are confined. */
export interface CommandSettings extends CommandPolicy {
  /** Default `auto`: bubblewrap when it works here, else `run_command` is refused. */
  sandbox?: SandboxMode;
  /** Default false: the sandbox has no network (not even the host's loopback). */
  network?: boolean;
  /** Variable names passed to commands besides PATH, HOME, LANG, TERM and TZ. */
  env?: string[];
}

export interface ToolboxOptions {
  /** The agent's workspace, absolute. */
  root: string;
  /** False for plan and verify runs: `write_file` and `edit_file` are not offered. */
  writable: boolean;
  /** Read-only views, e.g. `{ B: "/abs/other-agent-workspace" }`, reachable as `@B/<path>`. */
  views?: Record<string, string>;
  /** `run_command` is offered only when `allow` is non-empty; `deny` wins; `sandbox` confines it. */
  commands?: CommandSettings;
  /** How long a command may run before it is killed (its sandbox, with every process in it). Default 30 000. */
  commandTimeoutMs?: number;
  /** Cap on `run_command` output and on what `read_file` returns. Default 64 KiB. */
  maxOutputBytes?: number;
  /** Cap on the content `write_file` writes, in bytes. Default 10 MB (10 000 000). */
  maxWriteBytes?: number;
  /** How long one `search_files` may run before it is stopped and the agent told so. Default 10 000. */
  searchTimeoutMs?: number;
  /** The parent environment (default `process.env`): commands get only the allowlisted variables of it. */
  env?: NodeJS.ProcessEnv;
  /** The bubblewrap binary (default `CONCLAVE_BWRAP` from `env`, then `bwrap` on PATH). */
  bubblewrap?: string;
  /** Files that read as empty inside the sandbox, absolute. Default: `.env` in the working directory and every `.env` this process loaded keys from. */
  hidden?: string[];
  /** Asks the human a question (with the options and context the agent gave); resolves to null when nobody is there. */
  askHuman?: AskHuman;
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
export type ToolboxSettings = Required<Omit<ToolboxOptions, "askHuman" | "onEvent" | "bubblewrap" | "commands">> &
  Pick<ToolboxOptions, "askHuman" | "onEvent" | "bubblewrap"> & { commands: Required<CommandSettings> };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const absolutePath = z.string().refine(isAbsolute, { message: "must be an absolute path" });

const optionsSchema = z.object({
  root: absolutePath,
  writable: z.boolean(),
  views: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, { message: "view names are letters, digits, - and _" }), absolutePath)
    .default({}),
  commands: z
    .object({
      allow: z.array(z.string().min(1)),
      deny: z.array(z.string().min(1)),
      sandbox: z.enum(["auto", "bwrap", "none"]).default("auto"),
      network: z.boolean().default(false),
      env: z.array(z.string().regex(ENV_NAME, { message: "variable names are letters, digits and _" })).default([]),
    })
    .default({ allow: [], deny: [], sandbox: "auto", network: false, env: [] }),
  bubblewrap: z.string().min(1).optional(),
  hidden: z.array(absolutePath).default(() => [...new Set([resolve(".env"), ...dotEnvFiles()])]),
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
