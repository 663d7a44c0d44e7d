import { existsSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { openProject } from "../project/open-project.ts";
import { defaultConfigPath } from "../runs/run-options.ts";
import { SERVE_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { onStopRequest, type StopSource } from "./on-stop-request.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

/** Where `conclave serve` writes, the environment it reads (CONCLAVE_TOKEN, CONCLAVE_PROJECT), and the process whose signals stop it; the CLI's own `CliIo` fits it. */
export interface ServeIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  process: StopSource;
}

/**
 * `conclave serve`: the HTTP API until Ctrl+C, SIGTERM, SIGHUP or the launcher's end. Prints
 * one line, `Serving http://127.0.0.1:7070 (…)`, on stderr; with a token, a second one, the
 * viewer's address with `?token=` (the token itself only when stderr is a terminal, so it never
 * lands in a log). Returns the exit code; usage problems
 * are ConfigErrors (exit 1). Hono and the server are loaded only here, so other commands never pay for them.
 *
 * @example
 * process.exitCode = await serveCommand(["--port", "7070"], io);
 */
export async function serveCommand(args: string[], io: ServeIo, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs("serve", args, {
    port: { type: "string" },
    host: { type: "string" },
    project: { type: "string" },
    "runs-dir": { type: "string" },
    config: { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) {
    io.stdout.write(SERVE_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new ConfigError(`\`conclave serve\` takes no arguments, got ${positionals.join(" ")}. Pass the runs with \`--project <dir>\` or \`--runs-dir <dir>\`.`);
  const port = values.port === undefined ? 7070 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`\`--port\` must be a port number from 0 to 65535, got "${values.port}". Pass, for example, \`--port 7070\`.`);
  const host = values.host ?? "127.0.0.1";
  const project = values.project ?? (values["runs-dir"] === undefined ? io.env.CONCLAVE_PROJECT || undefined : undefined);
  if (values.project !== undefined && values["runs-dir"] !== undefined) throw new ConfigError("`--project` and `--runs-dir` name the same thing, the runs to serve: pass one of them.");
  const runsDir = resolve(cwd, values["runs-dir"] ?? (project !== undefined ? join(project, "runs") : join(".conclave", "runs")));
  if (project !== undefined && !existsSync(resolve(cwd, project))) {
    throw new ConfigError(`project \`${project}\`${values.project === undefined ? " (from CONCLAVE_PROJECT)" : ""} not found: expected a directory there. Pass a project directory such as \`projects/demo\`.`);
  }
  if (values["runs-dir"] !== undefined && (!existsSync(runsDir) || !statSync(runsDir).isDirectory())) {
    throw new ConfigError(`\`--runs-dir ${values["runs-dir"]}\` is not a directory: expected the directory that holds the run directories (such as \`.conclave/runs\`).`);
  }
  const token = io.env.CONCLAVE_TOKEN || undefined;
  const opened = project !== undefined ? openProject(resolve(cwd, project)) : undefined;
  const configPath = resolve(cwd, values.config ?? defaultConfigPath(io.env, cwd));
  const [{ createHttpApp }, { serve }, { createServerDeps }] = await Promise.all([import("../server/http/create-app.ts"), import("../server/http/serve.ts"), import("../server/server-deps.ts")]);
  // Runs launched here (over /mcp) go to the runs served: the project's, else the runs directory.
  const { launcher, queries, mcp } = createServerDeps({
    ...(opened ? { project: opened } : { runsDir }),
    configPath,
    env: io.env,
    ...(values["dry-run"] && { dryRun: true }),
    onNotice: (line) => io.stderr.write(`${line}\n`),
  });
  const app = createHttpApp({ runsDir, host, port, ...(token !== undefined && { token }), launcher, queries, mcp });
  const server = await serve({ app, host, port });
  const shown = relative(cwd, runsDir) || ".";
  io.stderr.write(`Serving ${server.url} (the runs in ${shown.startsWith("..") ? runsDir : shown}${token ? "; bearer token required" : ""}; Ctrl+C stops it)\n`);
  if (token) io.stderr.write(viewerLine(server.url, token, Boolean(io.stderr.isTTY)));
  await new Promise<void>((stopped) => {
    const stop = onStopRequest((request) => {
      stop();
      io.stderr.write(`Stopped by ${request.kind === "signal" ? request.signal : `the end of the process that started it (pid ${request.pid})`}: the server is closed.\n`);
      void launcher.close("conclave serve was stopped").then(() => server.close()).then(stopped);
    }, io.process);
  });
  return EXIT.ok;
}

// The viewer's address with the token (a browser cannot send the bearer header): the token itself on a terminal only.
function viewerLine(url: string, token: string, terminal: boolean): string {
  if (terminal) return `Open the viewer: ${url}/?token=${encodeURIComponent(token)}\n`;
  return `Open the viewer: ${url}/?token=<CONCLAVE_TOKEN> (the token itself is printed only to a terminal)\n`;
}
