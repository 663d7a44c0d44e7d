import { ConfigError } from "../errors.ts";
import { openProject } from "../project/open-project.ts";
import { defaultConfigPath } from "../runs/run-options.ts";
import { MCP_HELP } from "./command-help.ts";
import { EXIT } from "./exit-codes.ts";
import { onStopRequest } from "./on-stop-request.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

/** What `conclave mcp` speaks on and reports to. */
export interface McpIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  process: Parameters<typeof onStopRequest>[1];
}

/**
 * `conclave mcp [options]`: serves the MCP tools on stdin/stdout until the client closes stdin
 * or the process is asked to stop; runs still running are then cancelled and finish writing.
 *
 * @example
 * process.exitCode = await mcpCommand(["--project", "projects/demo"], { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, process });
 */
export async function mcpCommand(args: string[], io: McpIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("mcp", args, {
    project: { type: "string" },
    config: { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (values.help) {
    io.stdout.write(MCP_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new ConfigError(`\`conclave mcp\` takes no arguments, got "${positionals.join(" ")}". Run \`conclave mcp --help\` for the options.`);
  const projectDir = typeof values.project === "string" ? values.project : io.env.CONCLAVE_PROJECT || undefined;
  const project = projectDir ? openProject(projectDir) : undefined;
  const configPath = typeof values.config === "string" ? values.config : defaultConfigPath(io.env);

  // The server is loaded only for this command.
  const [{ serveStdio, StdioServerTransport }, { createMcpServer }, { createServerDeps }] = await Promise.all([
    import("@modelcontextprotocol/server/stdio"),
    import("../server/mcp-server.ts"),
    import("../server/server-deps.ts"),
  ]);
  // The config is checked before the first message, so a bad one fails the command, not a tool call.
  const { launcher, mcp } = createServerDeps({ ...(project && { project }), configPath, env: io.env, ...(values["dry-run"] && { dryRun: true }), onNotice: (line) => io.stderr.write(`${line}\n`) });
  const transport = new StdioServerTransport(io.stdin as never, io.stdout as never);
  const handle = serveStdio(() => createMcpServer(mcp), {
    transport,
    onerror: (error) => io.stderr.write(`conclave mcp: ${error.message}\n`),
  });
  io.stderr.write(`conclave mcp: serving on stdio${project ? ` for ${project.dir}` : ""}${values["dry-run"] ? " (dry run)" : ""}.\n`);

  const ended = await new Promise<"closed" | "stopped">((resolve) => {
    const stop = onStopRequest(() => {
      stop();
      resolve("stopped");
    }, io.process);
    const closed = () => {
      stop();
      resolve("closed");
    };
    io.stdin.once("end", closed);
    io.stdin.once("close", closed);
  });
  await launcher.close(ended === "closed" ? "the MCP client closed the connection" : "conclave mcp was stopped");
  await handle.close();
  return ended === "closed" ? EXIT.ok : EXIT.interrupted;
}
