import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { findRunDirs, newestFirst } from "../runs/find-run-dirs.ts";

const START = 'Start one with `npx conclave ask "<task>"` (or `npx conclave run <workflow.ts>`)';

/**
 * The run directory `target` names, for `conclave status`: `latest` (or nothing) is the most
 * recently modified run directory under `<cwd>/.conclave/runs/` and `<cwd>/projects/<p>/runs/`;
 * otherwise a run directory (one with run_description.json, or events.jsonl while it starts),
 * its status.json, or a run id found there. Throws a ConfigError that says where it looked and what to pass;
 * `command` is the command the message tells to run on a run directory.
 *
 * @example
 * resolveRunDir("latest", process.cwd());                        // "/…/.conclave/runs/20261121-101500-3f9a1c2b7d4e"
 * resolveRunDir(".conclave/runs/20261121-101500-3f9a1c2b7d4e/status.json", process.cwd());
 */
export function resolveRunDir(target: string | undefined, cwd: string, command = "status"): string {
  const roots = runRoots(cwd);
  if (target === undefined || target === "latest") {
    const latest = findRunDirs(roots).sort(newestFirst)[0];
    if (latest) return latest.dir;
    throw new ConfigError(
      `no run found: expected a run directory (one with run_description.json) in \`.conclave/runs/\` or \`projects/*/runs/\` under ${cwd}, found none. ${START}, or pass a run directory: \`conclave ${command} <run-dir>\`.`,
    );
  }
  const path = resolve(cwd, target);
  const hint = "Pass a run directory such as `.conclave/runs/<run-id>`, its status.json, or `latest`";
  if (!existsSync(path)) {
    const byId = findRunDirs(roots).find((r) => basename(r.dir) === target);
    if (byId) return byId.dir;
    throw new ConfigError(`\`${target}\` does not exist: expected a run directory, its status.json, or a run id under \`.conclave/runs/\` or \`projects/*/runs/\`. ${hint}.`);
  }
  if (statSync(path).isFile()) {
    if (basename(path) === "status.json" && existsSync(join(dirname(path), "run_description.json"))) return dirname(path);
    throw new ConfigError(`\`${target}\` is not a run directory: expected a run directory or the status.json in one, found a file that is not. ${hint}.`);
  }
  // A run writes events.jsonl before run_description.json, and prints LOG_DIR in between.
  if (existsSync(join(path, "run_description.json")) || existsSync(join(path, "events.jsonl"))) return path;
  const inside = findRunDirs([path]).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  const where = inside ? ` It holds run directories: pass one, such as \`${relative(cwd, inside.dir) || inside.dir}\` (the latest).` : "";
  throw new ConfigError(`\`${target}\` is not a run directory: expected run_description.json in it, found ${describeEntries(path)}.${where || ` ${hint}.`}`);
}

// Where `latest` looks: ./.conclave/runs and ./projects/*/runs.
function runRoots(cwd: string): string[] {
  const roots = [join(cwd, ".conclave", "runs")];
  try {
    for (const d of readdirSync(join(cwd, "projects"), { withFileTypes: true })) if (d.isDirectory()) roots.push(join(cwd, "projects", d.name, "runs"));
  } catch {
    // No projects/ here.
  }
  return roots;
}

/**
 * What a directory holds, for a message: "an empty directory", "3 entries (a, b, c)"; hidden ones (a runs
 * directory's .staging/) left out.
 *
 * @example
 * describeEntries(".conclave/runs"); // "2 entries (20261202-073611-73b851c50023, index.json)"
 */
export function describeEntries(dir: string): string {
  const names = readdirSync(dir)
    .filter((name) => !name.startsWith("."))
    .sort();
  if (names.length === 0) return "an empty directory";
  const shown = names.slice(0, 4).join(", ");
  return `${names.length} entr${names.length === 1 ? "y" : "ies"} (${shown}${names.length > 4 ? ", …" : ""})`;
}
