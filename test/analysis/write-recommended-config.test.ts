import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Recommendation } from "../../framework/analysis/analysis-report.ts";
import { writeRecommendedConfig } from "../../framework/analysis/write-recommended-config.ts";
import { loadConfig } from "../../framework/config/load-config.ts";
import { REPO } from "../support/cli-process.ts";
import { tempDir, thrownBy } from "../project/temp-dir.ts";

const ROUNDS: Recommendation = { change: "coordination.max_rounds: 2", why: "alpha and beta circled for 4 rounds", expected: "2 rounds, the same winner", set: { "coordination.max_rounds": 2 } };
const IDLE: Recommendation = { change: "coordination.timeouts.idle: 180", why: "gamma's local model stalls", expected: "no idle timeouts", set: { "coordination.timeouts.idle": 180 } };
const TWO: Recommendation = { change: "--agents alpha,beta", why: "gamma repeats alpha", expected: "a third less cost", agents: ["alpha", "beta"] };

// A run directory whose run_description.json names `configPath` (or none).
function runWith(dir: string, configPath: string | null): string {
  const runDir = join(dir, "runs", "20261202-033000-0123456789ab");
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, "run_description.json"), JSON.stringify({ run_id: "20261202-033000-0123456789ab", task: "t", config_path: configPath }));
  return runDir;
}

// configs/offline.yaml copied into `dir`.
function offlineConfig(dir: string): string {
  const path = join(dir, "team.yaml");
  copyFileSync(join(REPO, "configs", "offline.yaml"), path);
  return path;
}

describe("writeRecommendedConfig()", () => {
  it("writes the run's config with the changes, comments and order kept, and the file loads with the config loader", () => {
    const dir = tempDir("conclave-write-config-");
    const config = offlineConfig(dir);
    const out = join(dir, "tuned.yaml");
    const written = writeRecommendedConfig({ runDir: runWith(dir, config), recommendations: [ROUNDS, IDLE, TWO], out });
    expect(written).toEqual({ path: out, from: config, changes: ["coordination.max_rounds: 4 → 2", "coordination.timeouts.idle: 30 → 180", "agents: alpha, beta (gamma removed)"] });
    const original = readFileSync(config, "utf8");
    expect(readFileSync(out, "utf8")).toBe(
      `# Written by \`conclave analyze --write-config\` from ${config} for run 20261202-033000-0123456789ab.\n` +
        original
          .replace("agents:\n", "# conclave analyze: removed gamma; gamma repeats alpha\nagents:\n")
          .replace(/ {2}- id: gamma\n.*\n.*\n/, "")
          .replace("  max_rounds: 4\n", "  # conclave analyze: was 4; alpha and beta circled for 4 rounds\n  max_rounds: 2\n")
          .replace("idle: 30 }", "idle: 180 }"),
    );
    const loaded = loadConfig(out);
    expect(loaded.agents.map((a) => a.id)).toEqual(["alpha", "beta"]);
    expect([loaded.coordination.max_rounds, loaded.coordination.timeouts.idle, loaded.coordination.timeouts.run]).toEqual([2, 180, 600]);
    expect(readFileSync(config, "utf8")).toBe(original);
    expect(readdirSync(dir).sort()).toEqual(["runs", "team.yaml", "tuned.yaml"]);
  });

  it("replaces a file already at the output path", () => {
    const dir = tempDir("conclave-write-config-");
    const out = join(dir, "tuned.yaml");
    writeFileSync(out, "old\n");
    writeRecommendedConfig({ runDir: runWith(dir, offlineConfig(dir)), recommendations: [ROUNDS], out });
    expect(loadConfig(out).coordination.max_rounds).toBe(2);
  });

  it("writes nothing when the result would not be a valid config, and says which field and what to do", () => {
    const dir = tempDir("conclave-write-config-");
    const config = offlineConfig(dir);
    const out = join(dir, "tuned.yaml");
    const bad: Recommendation = { change: "coordination.max_rounds: 0", why: "w", expected: "e", set: { "coordination.max_rounds": 0 } };
    expect(thrownBy(() => writeRecommendedConfig({ runDir: runWith(dir, config), recommendations: [bad], out })).message).toBe(
      `the recommended config would not be valid, so \`${out}\` was not written:\n${out}:17 coordination.max_rounds: expected >= 1, got 0\nApply the changes to \`${config}\` by hand: coordination.max_rounds: 4 → 0.`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a run whose config file is gone, with the changes to make by hand", () => {
    const dir = tempDir("conclave-write-config-");
    const config = offlineConfig(dir);
    const runDir = runWith(dir, config);
    rmSync(config);
    expect(thrownBy(() => writeRecommendedConfig({ runDir, recommendations: [ROUNDS, TWO], out: join(dir, "tuned.yaml") })).message).toBe(
      `the run's config \`${config}\` is gone (run_description.json names it as \`config_path\`). Restore it and run again, or apply the changes to your config by hand: coordination.max_rounds: 2; --agents alpha,beta. (A config is not rebuilt from run_description.json: it does not record the agents' prompts, scripts or servers.)`,
    );
  });

  it("refuses a run given its config in code", () => {
    const dir = tempDir("conclave-write-config-");
    const runDir = runWith(dir, null);
    expect(thrownBy(() => writeRecommendedConfig({ runDir, recommendations: [ROUNDS], out: join(dir, "tuned.yaml") })).message).toBe(
      `the run in \`${runDir}\` was given its config as an object in code, not a file (run_description.json has no \`config_path\`), so there is no file to copy. Apply the changes to that config by hand: coordination.max_rounds: 2.`,
    );
  });

  it("refuses a directory that is not a run", () => {
    const dir = tempDir("conclave-write-config-");
    expect(thrownBy(() => writeRecommendedConfig({ runDir: dir, recommendations: [ROUNDS], out: join(dir, "tuned.yaml") })).message).toBe(
      `cannot read \`${join(dir, "run_description.json")}\` (ENOENT: no such file or directory, open '${join(dir, "run_description.json")}'): expected the run's run_description.json, which names its config. Pass a run directory, such as \`.conclave/runs/<run-id>\`.`,
    );
  });

  it("refuses an output path in a missing directory, a directory, the run's own config and an unwritable directory", () => {
    const dir = tempDir("conclave-write-config-");
    const config = offlineConfig(dir);
    const runDir = runWith(dir, config);
    const write = (out: string) => thrownBy(() => writeRecommendedConfig({ runDir, recommendations: [ROUNDS], out })).message;
    expect(write(join(dir, "nope", "tuned.yaml"))).toBe(`cannot write \`${join(dir, "nope", "tuned.yaml")}\`: its directory \`${join(dir, "nope")}\` does not exist. Create it (\`mkdir -p ${join(dir, "nope")}\`) or pass a file in an existing directory.`);
    expect(write(dir)).toBe(`\`--write-config ${dir}\` is a directory: expected a file to write. Pass a file name, such as \`${join(dir, "tuned.yaml")}\`.`);
    expect(write(config)).toBe(`\`--write-config ${config}\` is the run's own config: it is kept as it was, so the run stays reproducible. Pass another file, such as \`${join(dir, "tuned-team.yaml")}\`.`);
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      if (process.getuid?.() !== 0) expect(write(join(locked, "tuned.yaml"))).toMatch(new RegExp(`^cannot write \`${join(locked, "tuned.yaml")}\`: EACCES: permission denied, open '.*'\\. Pass a file in a directory you can write to\\.$`));
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
