import { nearestName } from "../nearest-name.ts";
import { ConfigError } from "../errors.ts";
import type { PresetOptions } from "./presets.ts";
import type { RunOptions } from "./run-options.ts";

// Every name RunOptions has; the type makes a new option fail to compile until it is listed here.
const RUN_OPTIONS: Record<keyof RunOptions, true> = {
  task: true, output: true, planning_mode: true, agent_system_prompts: true, id: true, context_paths: true,
  execute_after_planning: true, project: true, askHuman: true, approve: true, context: true, config: true,
  agents: true, agent_mode: true, refinement: true, coordination_overrides: true, timeout: true, budget_usd: true,
  dryRun: true, runsDir: true, clock: true, signal: true, env: true, onStatus: true, onEvent: true, onStart: true,
  onNotice: true, description: true, notes: true,
};
// The names the presets (plan, execute, verify, ask) add.
const PRESET_OPTIONS: Record<Exclude<keyof PresetOptions<unknown>, keyof RunOptions>, true> = { mode: true, writes: true, reads: true, evidence: true };

/** The option names of `run()`. */
export const RUN_OPTION_NAMES = Object.keys(RUN_OPTIONS);
/** The option names of the presets: `run()`'s, less `task`, plus mode, writes, reads and evidence. */
export const PRESET_OPTION_NAMES = [...RUN_OPTION_NAMES.filter((n) => n !== "task"), ...Object.keys(PRESET_OPTIONS)];

/**
 * Throws ConfigError on an option name that is not in `known`, suggesting the nearest one: a
 * misspelled option is otherwise silently ignored when the script is not type-checked.
 *
 * @example
 * checkOptionNames({ task: "…", refinment: false }, RUN_OPTION_NAMES);
 * // ConfigError: run option `refinment` is not known: did you mean `refinement`? Correct its name, or remove it.
 */
export function checkOptionNames(options: object, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const near = nearestName(name, known);
    throw new ConfigError(
      near
        ? `run option \`${name}\` is not known: did you mean \`${near}\`? Correct its name, or remove it.`
        : `run option \`${name}\` is not known. The options are: ${known.join(", ")}.`,
    );
  }
}
