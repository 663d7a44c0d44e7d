import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedClock } from "../../framework/clock.ts";
import type { ConfigInput } from "../../framework/config/config-schema.ts";
import { run } from "../../framework/runs/run.ts";
import type { RunOptions } from "../../framework/runs/run-options.ts";

type AgentInput = ConfigInput["agents"][number];

/** A scripted agent config: `scripted("alpha", { latency_ms: 50, script: [...] })`. */
export function scripted(id: string, backend: Omit<NonNullable<AgentInput["backend"]>, "type"> = {}): AgentInput {
  return { id, backend: { type: "scripted", latency_ms: 100, ...backend } };
}

const dirs: string[] = [];

/** Runs on a SimulatedClock into a fresh temporary runs directory; returns the result, the run directory's files and the clock. */
export async function runScripted(config: ConfigInput, options: Partial<RunOptions> = {}) {
  const runsDir = mkdtempSync(join(tmpdir(), "conclave-run-"));
  dirs.push(runsDir);
  const clock = new SimulatedClock();
  const result = await run({ task: "Design a cache for the API", config, runsDir, clock, env: {}, ...options });
  return { result, clock, files: readRun(result.log_dir), runsDir };
}

/** The parsed files of a run directory. */
export function readRun(dir: string) {
  const json = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));
  const agentsDir = join(dir, "agents");
  const agentFiles: Record<string, string[]> = {};
  if (existsSync(agentsDir)) for (const id of readdirSync(agentsDir)) agentFiles[id] = readdirSync(join(agentsDir, id)).sort();
  return {
    status: json("status.json"),
    result: json("result.json"),
    description: json("run_description.json"),
    events: readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; [k: string]: unknown }),
    agentFiles,
    read: (path: string) => readFileSync(join(dir, path), "utf8"),
    exists: (path: string) => existsSync(join(dir, path)),
  };
}

/** Removes the temporary directories made by runScripted (call from afterAll). */
export function cleanRuns() {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
