import { startFakeLlmServer } from "../test/support/fake-llm-server.ts";

// The loopback fake in a process of its own, so the bench's CPU figures hold none of its work.
const calls = Number(process.argv[2] ?? 1000);
const server = await startFakeLlmServer();
const args = JSON.stringify({ content: `A plan in several steps. ${"Each step names its inputs, outputs and checks. ".repeat(10)}` });
for (let i = 0; i < calls; i++) {
  server.enqueue({ text: "", toolCalls: [{ name: "new_answer", arguments: args }], usage: { input: 900, output: 120, cached: 300 }, chunkSize: 32 });
}
process.stdout.write(`${server.url}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
