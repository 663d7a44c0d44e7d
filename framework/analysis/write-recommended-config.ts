import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { parseConfig } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { displayPath } from "../project/display-path.ts";
import type { Recommendation } from "./analysis-report.ts";
import { applyRecommendations } from "./apply-recommendations.ts";

/** What `writeRecommendedConfig` needs: the run, the recommendations to apply, where to write. */
export interface WriteRecommendedConfigOptions {
  /** The run directory; its run_description.json names the config (`config_path`). */
  runDir: string;
  recommendations: Recommendation[];
  /** The file to write (a new file, or one to replace; never the run's own config). */
  out: string;
  /** For `${VAR}` in the config when the result is validated (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The config written. */
export interface WrittenConfig {
  path: string;
  /** The run's config it was made from. */
  from: string;
  /** Each change, as a person reads it (`coordination.max_rounds: 6 → 2`). */
  changes: string[];
}

/**
 * Writes a copy of a run's config with the recommendations applied (applyRecommendations():
 * comments and key order kept), after checking the copy with the config schema, atomically. A
 * run whose config was an object in code, or whose config file is gone, is refused with the
 * changes to make by hand: run_description.json records neither the agents' prompts, scripts nor
 * servers, so a config rebuilt from it would run different agents (a local model's agent sent to
 * a paid API). Throws a ConfigError naming the path and what to do; nothing is written then.
 *
 * @example
 * const written = writeRecommendedConfig({ runDir: ".conclave/runs/20261121-101500-3f9a1c2b7d4e", recommendations: report.recommendations, out: "tuned.yaml" });
 * written.changes; // ["coordination.max_rounds: 6 → 2"]
 */
export function writeRecommendedConfig(options: WriteRecommendedConfigOptions): WrittenConfig {
  const out = resolve(options.out);
  const shownOut = displayPath(out);
  const from = runConfigPath(options.runDir, options.recommendations);
  if (out === from) {
    throw new ConfigError(`\`--write-config ${shownOut}\` is the run's own config: it is kept as it was, so the run stays reproducible. Pass another file, such as \`${displayPath(join(dirname(out), `tuned-${basename(out)}`))}\`.`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new ConfigError(`\`--write-config ${shownOut}\` is a directory: expected a file to write. Pass a file name, such as \`${displayPath(join(out, "tuned.yaml"))}\`.`);
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new ConfigError(`cannot write \`${shownOut}\`: its directory \`${displayPath(parent)}\` does not exist. Create it (\`mkdir -p ${displayPath(parent)}\`) or pass a file in an existing directory.`);
  }
  const shownFrom = displayPath(from);
  const { text, changes } = applyRecommendations(readFileSync(from, "utf8"), options.recommendations, shownFrom);
  const header = `# Written by \`conclave analyze --write-config\` from ${shownFrom} for run ${basename(resolve(options.runDir))}.\n`;
  const written = `${header}${text}`;
  try {
    parseConfig(written, shownOut, options.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(`the recommended config would not be valid, so \`${shownOut}\` was not written:\n${error.message}\nApply the changes to \`${shownFrom}\` by hand: ${changes.join("; ")}.`, { cause: error });
  }
  try {
    writeFileAtomic(out, written);
  } catch (cause) {
    throw new ConfigError(`cannot write \`${shownOut}\`: ${(cause as Error).message}. Pass a file in a directory you can write to.`, { cause });
  }
  return { path: out, from, changes };
}

// The run's config file, from its run_description.json; a ConfigError says what to do when there is none.
function runConfigPath(runDir: string, recommendations: Recommendation[]): string {
  const descriptionPath = join(runDir, "run_description.json");
  let description: { config_path?: unknown };
  try {
    description = JSON.parse(readFileSync(descriptionPath, "utf8")) as { config_path?: unknown };
  } catch (cause) {
    throw new ConfigError(`cannot read \`${displayPath(descriptionPath)}\` (${(cause as Error).message.split("\n")[0]}): expected the run's run_description.json, which names its config. Pass a run directory, such as \`.conclave/runs/<run-id>\`.`, { cause });
  }
  const byHand = recommendations.map((r) => r.change).join("; ") || "none";
  if (typeof description.config_path !== "string") {
    throw new ConfigError(`the run in \`${displayPath(runDir)}\` was given its config as an object in code, not a file (run_description.json has no \`config_path\`), so there is no file to copy. Apply the changes to that config by hand: ${byHand}.`);
  }
  const path = resolve(description.config_path);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ConfigError(
      `the run's config \`${displayPath(path)}\` is gone (run_description.json names it as \`config_path\`). Restore it and run again, or apply the changes to your config by hand: ${byHand}. (A config is not rebuilt from run_description.json: it does not record the agents' prompts, scripts or servers.)`,
    );
  }
  return path;
}
