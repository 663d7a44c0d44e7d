import { loadConfig } from "../config/load-config.ts";
import { loadPrices } from "../config/load-prices.ts";
import { checkAgent, type AgentCheck } from "../models/check-agent.ts";
import { ConfigError } from "../errors.ts";
import { displayPath } from "../project/display-path.ts";
import { defaultConfigPath } from "../runs/run-options.ts";
import { DOCTOR_HELP } from "./command-help.ts";
import type { CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { formatTable } from "./format-table.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

/**
 * `conclave doctor [--config <file>] [--offline] [--json]`: checks every agent of the config
 * (checkAgent) and prints a table with a verdict per agent. Returns 0 when all are ready, 1
 * otherwise; a bad config or flag is a ConfigError (exit 1).
 *
 * @example
 * process.exitCode = await doctorCommand(["--config", "configs/openai.yaml"], { stdout: process.stdout, env: process.env });
 */
export async function doctorCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs("doctor", args, {
    config: { type: "string" },
    offline: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) {
    io.stdout.write(DOCTOR_HELP);
    return EXIT.ok;
  }
  if (positionals.length) {
    throw new ConfigError(`\`conclave doctor\` takes no arguments, got: ${positionals.join(" ")}. Name the config with --config <file>.`);
  }
  const file = typeof values.config === "string" ? values.config : defaultConfigPath(io.env);
  const config = loadConfig(file, io.env);
  const prices = loadPrices(io.env);
  const offline = Boolean(values.offline);
  const checks = await Promise.all(config.agents.map((agent) => checkAgent(agent, { env: io.env, prices, offline })));
  const ready = checks.every((c) => c.ready);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ config: displayPath(file), offline, ready, agents: checks }, null, 2)}\n`);
  } else {
    io.stdout.write(`${formatDoctorReport(displayPath(file), checks, offline)}\n`);
  }
  return ready ? EXIT.ok : EXIT.usage;
}

/**
 * The doctor's table and its closing line.
 *
 * @example
 * formatDoctorReport("configs/offline.yaml", checks, true);
 * // agent  backend                  key  server  reachable  model  price  verdict
 * // …
 */
export function formatDoctorReport(config: string, checks: AgentCheck[], offline: boolean): string {
  const rows = [["agent", "backend", "key", "server", "reachable", "model", "price", "verdict"]];
  for (const c of checks) {
    rows.push([
      c.agent,
      c.why.startsWith("configured as") ? c.backend : `${c.backend} (auto: ${c.why})`,
      c.key,
      c.server || "-",
      c.reachable === "n/a" ? "-" : c.reachable,
      c.model === "n/a" ? c.models.join(", ") : `${c.models.join(", ")} (${c.model})`,
      c.price === "n/a" ? "-" : c.price,
      c.ready ? "ready" : `not ready: ${c.fix}`,
    ]);
  }
  const waiting = checks.filter((c) => !c.ready).length;
  const verdict = waiting === 0
    ? `${config}: ${checks.length === 1 ? "the agent is" : `all ${checks.length} agents are`} ready.`
    : `${config}: ${waiting} of ${checks.length} agent${checks.length === 1 ? "" : "s"} ${waiting === 1 ? "is" : "are"} not ready.`;
  const note = offline ? "\nOffline: no server was asked; run without --offline to check the servers and models." : "";
  return `${formatTable(rows).join("\n")}\n\n${verdict}${note}`;
}
