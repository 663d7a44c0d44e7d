import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { systemClock } from "../framework/clock.ts";
import { coordinationTools } from "../framework/coordination/coordination-tools.ts";
import { createModelClient } from "../framework/models/create-model-client.ts";
import type { ModelClient } from "../framework/models/model.ts";

/**
 * Our own CPU time per model call (SDK, streaming, parsing, our frame) against the loopback fake,
 * which runs in another process so none of its work is counted. Median of `reps` batches.
 */
export async function backendOverheadMs(reps: number, perRep = 50): Promise<{ openai: number; anthropic: number }> {
  const total = 2 * (reps + 1) * perRep;
  // node --import tsx, not the tsx CLI: the CLI starts a second process that a kill would leave running.
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./fake-server-process.ts", import.meta.url)), String(total)], { stdio: ["ignore", "pipe", "inherit"], cwd: fileURLToPath(new URL("..", import.meta.url)) });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const url = line.toString().trim();
  try {
    const env = { OPENAI_API_KEY: "bench", ANTHROPIC_API_KEY: "bench" };
    const make = (type: "openai" | "anthropic") =>
      createModelClient({ id: "bench", backend: { type, model: "fake-model", base_url: type === "openai" ? `${url}/v1` : url } }, { clock: systemClock, env, idleMs: 30_000 });
    return { openai: await measure(make("openai"), reps, perRep), anthropic: await measure(make("anthropic"), reps, perRep) };
  } finally {
    child.kill("SIGTERM");
  }
}

async function measure(client: ModelClient, reps: number, perRep: number): Promise<number> {
  const tools = coordinationTools({ newAnswer: true, vote: true });
  const request = { system: "You are a careful engineer.", messages: [{ role: "user" as const, content: "# Task\n\nPlan the migration." }], tools };
  const samples: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    const before = process.cpuUsage();
    for (let i = 0; i < perRep; i++) {
      const turn = await client.complete(request);
      if (turn.toolCalls[0]?.name !== "new_answer") throw new Error(`unexpected reply: ${JSON.stringify(turn)}`);
    }
    const used = process.cpuUsage(before);
    if (rep > 0) samples.push((used.user + used.system) / 1000 / perRep); // rep 0 warms up
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
