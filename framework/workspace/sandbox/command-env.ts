import { delimiter, dirname } from "node:path";

/** The variables a command always gets from the parent, when set there; HOME is the workspace. */
export const PASSED_VARIABLES = ["LANG", "TERM", "TZ"] as const;

export interface CommandEnvOptions {
  /** The agent's workspace: the command's HOME. */
  home: string;
  /** More variable names to pass through as they are (`commands.env`). */
  pass?: string[];
  /** Directories put first on PATH (e.g. where `conclave` is in the sandbox). */
  pathPrefix?: string[];
}

/**
 * The environment a command runs with, built from an allowlist rather than filtered (docs/architecture.md §6):
 * PATH (the parent's, with Node's own directory and `pathPrefix` added), HOME set to the
 * workspace, LANG, TERM and TZ when the parent has them, and the names in `pass`. Nothing else
 * reaches the command: no API key, token or any variable not named. A name in `pass` is passed
 * even when it holds a secret: listing it is the user's decision.
 *
 * @example
 * commandEnv({ PATH: "/bin", LANG: "C.UTF-8", OPENAI_API_KEY: "sk-…", CI: "1" }, { home: "/ws", pass: ["CI"] });
 * // { PATH: "/usr/bin:/bin", HOME: "/ws", LANG: "C.UTF-8", CI: "1" }   (PATH gains Node's directory)
 */
export function commandEnv(base: NodeJS.ProcessEnv, options: CommandEnvOptions): NodeJS.ProcessEnv {
  const path = (base.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter).filter(Boolean);
  const node = dirname(process.execPath);
  const dirs = [...(options.pathPrefix ?? []), ...(path.includes(node) ? [] : [node]), ...path];
  const env: NodeJS.ProcessEnv = { PATH: [...new Set(dirs)].join(delimiter), HOME: options.home };
  for (const name of [...PASSED_VARIABLES, ...(options.pass ?? [])]) {
    if (name === "PATH" || name === "HOME") continue;
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
