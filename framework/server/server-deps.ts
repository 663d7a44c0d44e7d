import { readFileSync } from "node:fs";
import { loadConfig } from "../config/load-config.ts";
import { packagePath } from "../package-root.ts";
import type { Project } from "../project/project.ts";
import type { McpServerDeps } from "./mcp-server.ts";
import { createQueryBoard, type QueryBoard } from "../runs/query-board.ts";
import { createRunLauncher, type RunLauncher } from "./run-launcher.ts";

/** What `conclave mcp` and `conclave serve` launch runs with. */
export interface ServerDepsOptions {
  /** The project the runs work on; without one, runs go under `runsDir`. */
  project?: Project;
  /** The config file every run uses (`--config`, else defaultConfigPath()). */
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** Where run directories go without a project (default .conclave/runs). */
  runsDir?: string;
  /** Every run uses the offline scripted backend (`--dry-run`). */
  dryRun?: boolean;
  /** One-line notices of the runs (which backend, missing files), for the person running the server. */
  onNotice?: (line: string) => void;
}

/** One query board, one run launcher whose agents ask on it, and the MCP server's deps over both. */
export interface ServerDeps {
  launcher: RunLauncher;
  queries: QueryBoard;
  mcp: McpServerDeps;
}

/**
 * The run launcher and the query board of a server process, and the MCP tools' deps over them:
 * an agent's ask_human waits on the board for coordination.timeouts.human. Loads the config
 * first, so a bad one is a ConfigError before anything is served.
 *
 * @example
 * const { launcher, queries, mcp } = createServerDeps({ project, configPath: defaultConfigPath(process.env), env: process.env });
 * serveStdio(() => createMcpServer(mcp));
 */
export function createServerDeps(options: ServerDepsOptions): ServerDeps {
  const config = loadConfig(options.configPath, options.env);
  const questionTimeoutMs = config.coordination.timeouts.human * 1000;
  const queries = createQueryBoard({ timeoutMs: questionTimeoutMs });
  const launcher = createRunLauncher({
    ...(options.project && { project: options.project }),
    ...(options.runsDir !== undefined && { runsDir: options.runsDir }),
    config: options.configPath,
    env: options.env,
    ...(options.dryRun && { dryRun: true }),
    askHuman: (runId, agent, query, signal) => queries.ask(runId, agent, query, signal),
  });
  const version = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
  const mcp: McpServerDeps = {
    launcher,
    queries,
    ...(options.project && { project: options.project }),
    ...(options.runsDir !== undefined && { runsDir: options.runsDir }),
    version,
    questionTimeoutMs,
    ...(options.onNotice && { onNotice: options.onNotice }),
  };
  return { launcher, queries, mcp };
}
