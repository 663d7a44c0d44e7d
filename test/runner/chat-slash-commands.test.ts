import { afterAll, describe, expect, it } from "vitest";
import { chatSlashCommand } from "../../framework/runner/chat-slash-commands.ts";
import { emptyRecord, handMadeSession, removeHandMadeSessions } from "../support/hand-made-session.ts";

afterAll(removeHandMadeSessions);

describe("chatSlashCommand()", () => {
  const record = emptyRecord();
  record.usage.conversation = { input_tokens: 1200, output_tokens: 80, cached_tokens: 0, cost_usd: 0.0004, calls: 2 };
  record.usage.runs = { input_tokens: 9000, output_tokens: 700, cached_tokens: 300, cost_usd: 0.012, calls: 9 };
  record.runs = [
    { run_id: "20261202-010210-4be1f07a9c3d", task: "Plan the API\nin detail", status: "completed", cost_usd: 0.012, log_dir: "/r1", launched_at: "" },
    { run_id: "20261202-010300-aaaaaaaaaaaa", task: "Write the handler", status: "running", cost_usd: null, log_dir: "/r2", launched_at: "" },
  ];
  const session = handMadeSession(() => [], record, [{ role: "user", content: "Plan the API", at: "" }]);
  session.runningIds.add("20261202-010300-aaaaaaaaaaaa");

  it("/cost keeps the conversation and the runs apart: tokens, calls, USD, and the total", () => {
    expect(chatSlashCommand("/cost", session)).toEqual({
      text: "conversation  1200 in · 80 out tokens · 2 calls · $0.0004\nruns          9000 in · 700 out tokens (300 cached) · 9 calls · $0.0120 · 2 runs\ntotal         $0.0124",
    });
  });

  it("/runs lists the session's runs: id, status (running while it runs), cost, task", () => {
    expect(chatSlashCommand("/runs", session).text.split("\n")).toEqual([
      "run                           status        cost  task",
      "----------------------------  ---------  -------  -----------------",
      "20261202-010210-4be1f07a9c3d  completed  $0.0120  Plan the API …",
      "20261202-010300-aaaaaaaaaaaa  running        n/a  Write the handler",
    ]);
  });

  it("/context lists the sections of the orchestrator's prompt and the recent messages, with token estimates", () => {
    expect(chatSlashCommand("/context", session).text.split("\n")).toEqual([
      "The orchestrator sees about 42 tokens: its system prompt (3 sections) and 1 recent message.",
      "  # (the orchestrator's role)  ~7 tokens  You are the orchestrator.",
      "  # Project  ~8 tokens  CONTEXT.md: a demo",
      "  # Spend  ~4 tokens  $0.0000",
      "  user      ~3 tokens  Plan the API",
    ]);
  });

  it("/help lists the commands; /exit ends; anything else is named with the list", () => {
    expect(chatSlashCommand("/help", session).text.split("\n")[0]).toBe("/help     these commands");
    expect(chatSlashCommand("/exit", session)).toEqual({ text: "", exit: true });
    expect(chatSlashCommand("/stauts now", session)).toEqual({ text: "Unknown command /stauts. The commands: /help, /runs, /cost, /context, /exit." });
  });
});
