import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { readRunIndex, type RunIndexEntry } from "../project/run-index.ts";
import { clip } from "./clip.ts";
import { RUNS_HELP } from "./command-help.ts";
import { useColor, type CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { findRunDirs } from "../runs/find-run-dirs.ts";
import { formatSeconds } from "./format-seconds.ts";
import { formatTable } from "./format-table.ts";
import { formatUsd } from "./format-usd.ts";
import { parseCommandArgs } from "./parse-command-args.ts";
import { readRunRow } from "../runs/read-run-row.ts";

// Runs in a table's status column, coloured on a terminal.
const COLORS: Record<string, string> = { completed: "32", running: "33", starting: "33" };

/** The runs to list and where they came from. */
interface RunSource {
  /** Where they came from, for people: `projects/demo/runs/index.json`. */
  label: string;
  rows: RunIndexEntry[];
  /** Listing a project: show the step column. */
  project: boolean;
  /** What to do when there are none. */
  start: string;
}

/**
 * `conclave runs [project] [--json] [--limit N]`: lists runs, newest last, with status, winner,
 * cost, duration and task (and the step, for a project's runs). Returns the exit code; usage
 * problems are ConfigErrors (exit 1).
 *
 * @example
 * process.exitCode = await runsCommand(["demo", "--limit", "5"], { stdout: process.stdout, env: process.env });
 */
export async function runsCommand(args: string[], io: CommandIo, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs("runs", args, { json: { type: "boolean" }, limit: { type: "string" } });
  if (values.help) {
    io.stdout.write(RUNS_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new ConfigError(`\`conclave runs\` takes one project, got ${positionals.length}: ${positionals.join(" ")}. Pass one project directory, or none to list ./.conclave/runs/.`);
  }
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`\`--limit\` must be a whole number of runs, 1 or more, got "${values.limit}". Pass, for example, \`--limit 10\`.`);
  }
  const target = positionals[0];
  const source = target === undefined ? dirSource(join(cwd, ".conclave", "runs"), cwd) : projectSource(target, cwd);
  const rows = limit === undefined ? source.rows : source.rows.slice(-limit);

  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.stdout.write(`No runs in \`${source.label}\` yet. ${source.start}\n`);
    return EXIT.ok;
  }
  const color = useColor(io);
  const step = source.project || rows.some((r) => r.step !== undefined);
  const table = formatTable(
    [
      ["run", ...(step ? ["step"] : []), "status", "winner", "cost", "duration", "task"],
      ...rows.map((r) => [r.run_id, ...(step ? [r.step ?? "-"] : []), r.status, r.winner ?? "-", formatUsd(r.cost_usd), formatSeconds(r.elapsed_seconds), clip(r.task, 60)]),
    ],
    {
      right: step ? [4, 5] : [3, 4],
      paint: (cell, _row, column) => {
        const code = column === (step ? 2 : 1) ? (COLORS[cell.trim()] ?? "31") : undefined;
        return color && code ? `\x1b[${code}m${cell}\x1b[0m` : cell;
      },
    },
  );
  const count = rows.length === source.rows.length ? `${rows.length} run${rows.length === 1 ? "" : "s"}` : `The newest ${rows.length} of ${source.rows.length} runs`;
  io.stdout.write(`${table.join("\n")}\n\n${count} in \`${source.label}\`, newest last.\n`);
  return EXIT.ok;
}

// The runs of a project (by directory, or by name under ./projects/), or of a directory of run directories.
function projectSource(target: string, cwd: string): RunSource {
  let dir = resolve(cwd, target);
  if (!existsSync(dir) && !/[\\/]/.test(target) && existsSync(join(cwd, "projects", target))) dir = join(cwd, "projects", target);
  if (!existsSync(dir)) {
    throw new ConfigError(
      `project \`${target}\` not found: expected a directory at \`${target}\`${/[\\/]/.test(target) ? "" : ` or \`projects/${target}\``} under ${cwd}, found neither. Pass a project directory (such as \`projects/demo\`), a project name under ./projects/, or nothing to list ./.conclave/runs/.`,
    );
  }
  if (!statSync(dir).isDirectory()) {
    throw new ConfigError(`\`${target}\` is a file: expected a project directory (with CONTEXT.md and runs/). Pass a project directory such as \`projects/demo\`.`);
  }
  const runsDir = join(dir, "runs");
  if (existsSync(join(dir, "CONTEXT.md")) || existsSync(join(runsDir, "index.json"))) {
    const recorded = readRunIndex(runsDir);
    const known = new Set(recorded.map((r) => r.run_id));
    // Runs still going are not in the index yet: add them from their directories.
    const going = byStart(findRunDirs([runsDir]).filter((r) => !existsSync(join(r.dir, "result.json"))).map((r) => readRunRow(r.dir))).filter((r) => !known.has(r.run_id));
    const shown = show(dir, cwd);
    return {
      label: show(join(runsDir, "index.json"), cwd),
      rows: [...recorded, ...going],
      project: true,
      start: `Run a workflow on it: \`npx conclave run workflows/feature.ts --project ${shown}\`.`,
    };
  }
  if (findRunDirs([dir]).length > 0) return dirSource(dir, cwd);
  throw new ConfigError(
    `\`${target}\` is not a project: expected CONTEXT.md or runs/index.json in it, or run directories, found neither. Pass a project directory such as \`projects/demo\` (\`npx conclave init <name>\` makes one).`,
  );
}

// The run directories under `root` (where `conclave ask` writes), oldest first.
function dirSource(root: string, cwd: string): RunSource {
  return {
    label: `${show(root, cwd)}/`,
    rows: byStart(findRunDirs([root]).map((r) => readRunRow(r.dir))),
    project: false,
    start: 'Start one with `npx conclave ask "<task>"`.',
  };
}

// Oldest first: by start time, then run id (ids begin with the UTC time).
function byStart(rows: RunIndexEntry[]): RunIndexEntry[] {
  return rows.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.run_id.localeCompare(b.run_id));
}

// A path as people see it: relative to the working directory when inside it.
function show(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
