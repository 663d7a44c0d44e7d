import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { configJsonSchema } from "../../framework/config/config-json-schema.ts";
import { loadConfig, parseConfig, validateConfig } from "../../framework/config/load-config.ts";
import { ConfigError } from "../../framework/errors.ts";

const LABEL = "configs/team.yaml";
const configsDir = fileURLToPath(new URL("../../configs/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "conclave-load-config-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Runs `fn`, expects a ConfigError, and returns it so the test can assert its message exactly.
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("config_error");
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

function parseError(text: string, env: NodeJS.ProcessEnv = {}): string {
  return configErrorOf(() => parseConfig(text, LABEL, env)).message;
}

describe("parseConfig()", () => {
  it("fills every default into a minimal config", () => {
    const config = parseConfig("agents:\n  - id: a\n", LABEL, {});
    expect(config).toEqual({
      agents: [{ id: "a", backend: { type: "auto" } }],
      coordination: {
        max_rounds: 4,
        refinement: true,
        voting: "balanced",
        novelty: 0.9,
        max_answers_per_agent: 3,
        presentation: true,
        timeouts: { run: 1800, generation: 300, voting: 300, presentation: 300, call: 180, idle: 60, human: 600 },
        retry: { attempts: 3, base_delay: 0.5, max_delay: 8, max_retry_after: 60 },
      },
      budget: {},
      approval: {},
      commands: { allow: [], deny: [], sandbox: "auto", network: false, env: [] },
      context: { max_mb: 1 },
      orchestrator: { id: "orchestrator", backend: { type: "auto" } },
      interactive: { require_approval: "above_usd", above_usd: 0.5, max_context_tokens: 24000, keep_recent: 10 },
    });
  });

  it("gives every caller of the same text its own copy, and reads ${VAR} from each call's environment", () => {
    const text = "agents:\n  - id: a\n    backend: { type: scripted, latency_ms: 20 }\n";
    const first = parseConfig(text, LABEL, {});
    first.agents[0]!.id = "changed";
    first.coordination.max_rounds = 99;
    const second = parseConfig(text, LABEL, {});
    expect(second.agents[0]!.id).toBe("a");
    expect(second.coordination.max_rounds).toBe(4);
    expect(second).not.toBe(first);
    const interpolated = "agents:\n  - id: a\ncoordination:\n  max_rounds: ${R:-4}\n";
    expect(parseConfig(interpolated, LABEL, { R: "2" }).coordination.max_rounds).toBe(2);
    expect(parseConfig(interpolated, LABEL, { R: "3" }).coordination.max_rounds).toBe(3);
    // An error is raised every time, not remembered as a config.
    expect(parseError("agents:\n  - id: a\ncoordination:\n  max_rounds: many\n")).toContain("max_rounds");
    expect(parseError("agents:\n  - id: a\ncoordination:\n  max_rounds: many\n")).toContain("max_rounds");
  });

  it("validates the same object config again as the first time: each caller its own copy, a twin JSON cannot hide holds the same", () => {
    const config = { agents: [{ id: "a", backend: { type: "scripted" as const, latency_ms: 20 } }] };
    const first = validateConfig(config);
    first.agents[0]!.id = "changed";
    const second = validateConfig(config);
    expect(second.agents[0]!.id).toBe("a");
    expect(second).not.toBe(first);
    // Objects whose JSON is that of the valid config, each still refused for what the JSON leaves out.
    const twins: [string, unknown][] = [
      ["an unknown field set to undefined", { ...config, agnets: undefined }],
      ["a function", { ...config, agents: [{ ...config.agents[0], backend: { ...config.agents[0]!.backend, script: () => [] } }] }],
      ["a toJSON method", { toJSON: () => config }],
    ];
    for (const [what, twin] of twins) {
      expect(JSON.stringify(twin), what).toBe(JSON.stringify(config));
      expect(() => validateConfig(twin as never), what).toThrow(ConfigError);
    }
    // NaN reads as null in JSON: the number is refused, as is the null it is not.
    expect(() => validateConfig({ ...config, coordination: { max_rounds: Number.NaN } })).toThrow(/max_rounds/);
    // An error is raised every time, not remembered as a config.
    expect(() => validateConfig({ agents: [] })).toThrow(ConfigError);
    expect(() => validateConfig({ agents: [] })).toThrow(ConfigError);
  });

  it("keeps values that are given instead of the defaults", () => {
    const config = parseConfig(
      "agents:\n  - id: a\n    backend: { type: scripted, latency_ms: 20 }\ncoordination:\n  max_rounds: 2\n  voting: strict\n  timeouts: { run: 60 }\n",
      LABEL,
      {},
    );
    expect(config.agents[0]?.backend).toEqual({ type: "scripted", latency_ms: 20 });
    expect(config.coordination.max_rounds).toBe(2);
    expect(config.coordination.voting).toBe("strict");
    expect(config.coordination.timeouts).toEqual({ run: 60, generation: 300, voting: 300, presentation: 300, call: 180, idle: 60, human: 600 });
  });

  it("reports tab indentation as malformed YAML on its line", () => {
    expect(parseError("agents:\n\t- id: a\n")).toMatch(/^configs\/team\.yaml:2 malformed YAML: /);
  });

  it("reports a first key indented deeper than the rest of its mapping on its own line, not on the next key's", () => {
    // The yaml library reports this on line 6 (`voting`), which is where the indentation is right.
    expect(parseError("agents:\n  - id: alpha\n    backend: { type: scripted }\ncoordination:\n    max_rounds: 2\n  voting: strict\n")).toBe(
      "configs/team.yaml:5 malformed YAML: `max_rounds` is indented 4 spaces, but the next key of `coordination`, `voting` (line 6), is indented 2. Indent the keys of one mapping alike.",
    );
  });

  it("reports a key indented under a key that already has a value on the deeper line, not on the line above", () => {
    // The yaml library reports this on line 5 (`max_rounds: 2`).
    expect(parseError("agents:\n  - id: alpha\n    backend: { type: scripted }\ncoordination:\n  max_rounds: 2\n   voting: strict\n")).toBe(
      "configs/team.yaml:6 malformed YAML: `voting` is indented 3 spaces, deeper than `max_rounds` on line 5 (at 2), which already has a value. Indent the keys of one mapping alike.",
    );
  });

  it("says which keys a key that lines up with none of them sits between", () => {
    expect(parseError("agents:\n  - id: alpha\n    backend:\n      type: scripted\n     latency_ms: 20\n")).toBe(
      "configs/team.yaml:5 malformed YAML: `latency_ms` is indented 5 spaces, out of line with the keys above it (`type` on line 4 at 6, `backend` on line 3 at 4). Indent the keys of one mapping alike.",
    );
  });

  it("reports a repeated key as malformed YAML on the line of the repeat", () => {
    expect(parseError("agents:\n  - id: a\n    id: b\n")).toMatch(/^configs\/team\.yaml:3 malformed YAML: /);
  });

  it("names the file, line, field, allowed values and bad value for an unknown backend type", () => {
    expect(parseError("agents:\n  - id: a\n  - id: b\n    backend:\n      type: foo\n")).toBe(
      'configs/team.yaml:5 agents[1].backend.type: expected one of auto, openai, anthropic, scripted, got "foo"',
    );
  });

  it("names both indexes of a duplicate agent id", () => {
    expect(parseError("agents:\n  - id: a\n  - id: b\n  - id: a\n")).toBe(
      'configs/team.yaml:4 agents[2].id: duplicate agent id "a" (agents[0] has it too); ids must be unique',
    );
  });

  it("refuses max_rounds: 0", () => {
    expect(parseError("agents:\n  - id: a\ncoordination:\n  max_rounds: 0\n")).toBe(
      "configs/team.yaml:4 coordination.max_rounds: expected >= 1, got 0",
    );
  });

  it("refuses an unknown field and says to check the spelling", () => {
    expect(parseError("agents:\n  - id: a\n    colour: red\n")).toBe(
      "configs/team.yaml:3 agents[0]: unknown field `colour`; remove it or check the spelling",
    );
  });

  it("refuses an unknown top-level field", () => {
    expect(parseError("agents:\n  - id: a\nextra: 1\n")).toBe(
      "configs/team.yaml:3 (top level): unknown field `extra`; remove it or check the spelling",
    );
  });

  it("refuses a script turn with two kinds and names them", () => {
    expect(parseError("agents:\n  - id: a\n    backend:\n      type: scripted\n      script:\n        - answer: x\n          vote: A\n")).toBe(
      "configs/team.yaml:6 agents[0].backend.script[0]: expected exactly one of answer, vote, tool, text in a script turn, got answer, vote",
    );
  });

  it("refuses a script turn with no kind", () => {
    expect(parseError("agents:\n  - id: a\n    backend:\n      type: scripted\n      script:\n        - reason: x\n")).toBe(
      "configs/team.yaml:6 agents[0].backend.script[0]: expected exactly one of answer, vote, tool, text in a script turn, got none",
    );
  });

  it("refuses an agent id that cannot name a directory", () => {
    expect(parseError("agents:\n  - id: a b\n")).toBe(
      'configs/team.yaml:2 agents[0].id: expected letters, digits, - or _ (it names a directory), got "a b"',
    );
  });

  it("lists every problem, one per line", () => {
    expect(parseError("agents:\n  - id: a\ncoordination:\n  max_rounds: 2.5\n  voting: sometimes\n")).toBe(
      [
        "configs/team.yaml:4 coordination.max_rounds: expected int, got 2.5",
        'configs/team.yaml:5 coordination.voting: expected one of lenient, balanced, strict, got "sometimes"',
      ].join("\n"),
    );
  });

  it("shows the first five problems and counts the rest", () => {
    const text = `agents:\n${[1, 2, 3, 4, 5, 6, 7].map((n) => `  - id: a${n}\n    extra${n}: 1\n`).join("")}`;
    const lines = parseError(text).split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe("configs/team.yaml:3 agents[0]: unknown field `extra1`; remove it or check the spelling");
    expect(lines[4]).toBe("configs/team.yaml:11 agents[4]: unknown field `extra5`; remove it or check the spelling");
    expect(lines[5]).toBe("…and 2 more");
  });

  it("refuses an alias bomb on the line of its first alias, without expanding it", () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 10; i++) levels.push(`${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(9).fill(`*${"abcdefghij"[i - 1]}`).join(", ")}]`);
    expect(parseError(`agents:\n  - id: a\n${levels.join("\n")}\n`)).toBe(
      `${LABEL}:4 malformed YAML: its aliases (\`*name\`) expand to too many nodes (more than 100 per alias), as an alias bomb does. A config needs few or no aliases: write the values out.`,
    );
  });

  it("refuses 100,000 levels of nesting on the line where it starts", () => {
    expect(parseError(`agents:\n  - id: a\nbudget: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`)).toBe(
      `${LABEL}:3 malformed YAML: collections are nested too deeply (more than 64 levels). A config needs a few levels of nesting: remove the deep nesting.`,
    );
  });

  it("refuses nesting past 64 levels on the line of the 65th level (the top level counts), though the parser could read it", () => {
    const nested = Array.from({ length: 70 }, (_, i) => `${"  ".repeat(i + 1)}a:`).join("\n");
    expect(parseError(`agents:\n  - id: a\nbudget:\n${nested}\n`)).toBe(
      `${LABEL}:67 malformed YAML: collections are nested too deeply (more than 64 levels). A config needs a few levels of nesting: remove the deep nesting.`,
    );
  });

  it("says agents are missing from an empty file", () => {
    expect(parseError("")).toBe("configs/team.yaml agents: expected array, got nothing");
  });

  it("types a value that is one whole ${VAR} as YAML would, so numbers stay numbers", () => {
    const config = parseConfig("agents:\n  - id: a\ncoordination:\n  max_rounds: ${R:-6}\n  refinement: ${REF}\n", LABEL, { REF: "false" });
    expect(config.coordination.max_rounds).toBe(6);
    expect(config.coordination.refinement).toBe(false);
  });

  it("says a config holds one YAML document", () => {
    expect(parseError("agents:\n  - id: a\n---\nagents: []\n")).toBe(
      "configs/team.yaml:3 malformed YAML: a config holds one document; remove the `---` separator and what follows it, or split it into two files.",
    );
  });

  it("replaces ${VAR} from the env it is given", () => {
    const config = parseConfig("agents:\n  - id: a\n    backend:\n      model: ${MODEL}\n", LABEL, { MODEL: "gpt-test" });
    expect(config.agents[0]?.backend.model).toBe("gpt-test");
  });

  it("uses the default of ${VAR:-default} when the variable is unset or empty", () => {
    const text = "agents:\n  - id: a\n    backend:\n      model: ${MODEL:-fallback-model}\n";
    expect(parseConfig(text, LABEL, {}).agents[0]?.backend.model).toBe("fallback-model");
    expect(parseConfig(text, LABEL, { MODEL: "" }).agents[0]?.backend.model).toBe("fallback-model");
    expect(parseConfig(text, LABEL, { MODEL: "set" }).agents[0]?.backend.model).toBe("set");
  });

  it("replaces several variables inside one string", () => {
    const config = parseConfig("agents:\n  - id: a\n    system: pre-${A}-${B:-bee}-post\n", LABEL, { A: "aa" });
    expect(config.agents[0]?.system).toBe("pre-aa-bee-post");
  });

  it("keeps a variable's value a plain string, so it cannot inject YAML structure", () => {
    const config = parseConfig('agents:\n  - id: a\n    system: "${SYS}"\n', LABEL, { SYS: "x: {evil: 1}\n- list" });
    expect(config.agents[0]?.system).toBe("x: {evil: 1}\n- list");
  });

  it("does not expand a variable's value a second time", () => {
    const config = parseConfig("agents:\n  - id: a\n    system: ${A}\n", LABEL, { A: "${B}", B: "expanded" });
    expect(config.agents[0]?.system).toBe("${B}");
  });

  it("says which variable is missing, where, and how to give a default", () => {
    expect(parseError("agents:\n  - id: a\n    backend:\n      model: ${MODEL}\n")).toBe(
      "configs/team.yaml:4 environment variable `MODEL` is not set. Set it, or write `${MODEL:-default}` to give a default.",
    );
  });

  it("reads variables only from the env it is given", () => {
    const name = "CONCLAVE_TEST_ONLY_IN_PROCESS_ENV";
    process.env[name] = "from-process";
    try {
      expect(parseError(`agents:\n  - id: a\n    system: \${${name}}\n`)).toBe(
        `configs/team.yaml:3 environment variable \`${name}\` is not set. Set it, or write \`\${${name}:-default}\` to give a default.`,
      );
    } finally {
      delete process.env[name];
    }
  });
});

describe("loadConfig()", () => {
  it("says a missing file does not exist and to pass --config", () => {
    const path = join(scratch, "missing.yaml");
    const message = configErrorOf(() => loadConfig(path, {})).message;
    expect(message).toContain("no such file");
    expect(message).toBe(`cannot read config \`${path}\`: no such file. Pass an existing file with --config.`);
  });

  it("names a missing file by its path relative to the working directory", () => {
    expect(configErrorOf(() => loadConfig("configs/does-not-exist.yaml", {})).message).toBe(
      "cannot read config `configs/does-not-exist.yaml`: no such file. Pass an existing file with --config.",
    );
  });

  it("says a directory is not a config file and names the YAML files in it", () => {
    const dir = join(scratch, "configs");
    mkdirSync(dir);
    for (const name of ["b.yaml", "a.yml", "notes.txt"]) writeFileSync(join(dir, name), "");
    expect(configErrorOf(() => loadConfig(dir, {})).message).toBe(
      `cannot read config \`${dir}\`: it is a directory, expected a YAML file such as \`${dir}/a.yml\` (it holds \`a.yml\`, \`b.yaml\`). Pass one config file.`,
    );
  });

  it("reads a file from disk and names it in errors", () => {
    const good = join(scratch, "good.yaml");
    writeFileSync(good, "agents:\n  - id: solo\n    backend: { type: scripted }\n");
    expect(loadConfig(good, {}).agents).toEqual([{ id: "solo", backend: { type: "scripted" } }]);

    const bad = join(scratch, "bad.yaml");
    writeFileSync(bad, "agents:\n  - id: solo\n    backend: { type: nope }\n");
    expect(configErrorOf(() => loadConfig(bad, {})).message).toBe(
      `${bad}:3 agents[0].backend.type: expected one of auto, openai, anthropic, scripted, got "nope"`,
    );
  });

  it("loads the shipped configs/default.yaml", () => {
    const config = loadConfig(join(configsDir, "default.yaml"), {});
    expect(config.agents.map((a) => a.id)).toEqual(["alpha", "beta", "gamma"]);
    expect(config.agents.map((a) => a.backend.type)).toEqual(["auto", "auto", "auto"]);
    expect(config.coordination.max_rounds).toBe(4);
  });

  it("loads the shipped configs/offline.yaml", () => {
    const config = loadConfig(join(configsDir, "offline.yaml"), {});
    expect(config.agents.map((a) => a.id)).toEqual(["alpha", "beta", "gamma"]);
    expect(config.agents.map((a) => a.backend.type)).toEqual(["scripted", "scripted", "scripted"]);
    expect(config.coordination.timeouts.run).toBe(600);
  });

  it("loads the shipped chat configs: an orchestrator, a team and approval", () => {
    const chat = loadConfig(join(configsDir, "interactive.yaml"), {});
    expect(chat.orchestrator.backend.type).toBe("auto");
    expect(chat.agents.map((a) => a.id)).toEqual(["alpha", "beta", "gamma"]);
    expect(chat.interactive).toEqual({ require_approval: "above_usd", above_usd: 0.25, max_context_tokens: 24000, keep_recent: 10, budget_usd: 5 });
    const review = loadConfig(join(configsDir, "code-review-interactive.yaml"), {});
    expect(review.agents.map((a) => a.id)).toEqual(["security", "correctness", "maintainability"]);
    expect(review.agents.every((a) => a.system?.startsWith("You review code for"))).toBe(true);
    expect(review.interactive.require_approval).toBe("always");
  });
});

describe("configs/schema.json", () => {
  it("equals configJsonSchema(), so editors validate against the current schema", () => {
    const committed: unknown = JSON.parse(readFileSync(join(configsDir, "schema.json"), "utf8"));
    expect(committed, "configs/schema.json is out of date with the zod schemas; run `npm run schema` and commit the result").toEqual(
      configJsonSchema(),
    );
  });
});
