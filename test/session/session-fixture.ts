import { appendMessage, createStoredSession, saveRecord } from "../../framework/session/session-store.ts";
import type { SessionRecord, StoredMessage } from "../../framework/session/session-types.ts";

// A session as `conclave chat` would leave it: a question, a run launched with its tool call and
// result, the reply, then a follow-up; the record with a run, spend on both sides and a compaction.
export function writeDemoSession(dir: string, options: { title?: string; updatedAt?: string; project?: string | null } = {}): { id: string; dir: string; record: SessionRecord; messages: StoredMessage[] } {
  const created = createStoredSession(dir, { project: options.project === undefined ? "/work/projects/api" : options.project, title: options.title ?? "WebSocket support" });
  const messages: StoredMessage[] = [
    { role: "user", content: "I need to add WebSocket support to the API server.", at: "2026-12-02T09:00:00.000Z" },
    {
      role: "assistant",
      content: "",
      tool_calls: [{ id: "call_1", name: "launch_run", arguments: { task: "Plan WebSocket support", planning_mode: true }, rawArguments: '{"task":"Plan WebSocket support","planning_mode":true}' }],
      usage: { input_tokens: 900, output_tokens: 40, cached_tokens: 0, cost_usd: 0.0012 },
      at: "2026-12-02T09:00:01.000Z",
    },
    { role: "tool", content: `{"run_id":"20261202-090001-aaaaaaaaaaaa","status":"completed","answer":"${"Step. ".repeat(200)}"}`, tool_call_id: "call_1", name: "launch_run", at: "2026-12-02T09:01:00.000Z" },
    { role: "assistant", content: "The team recommends 5 steps.\nI'll start with the handler module.", at: "2026-12-02T09:01:05.000Z" },
    { role: "user", content: "Actually, can we use Socket.IO instead?", at: "2026-12-02T09:02:00.000Z" },
  ];
  for (const m of messages) appendMessage(created.dir, m);
  const record: SessionRecord = {
    ...created.record,
    updated_at: options.updatedAt ?? "2026-12-02T09:02:00.000Z",
    turns: 2,
    runs: [{ run_id: "20261202-090001-aaaaaaaaaaaa", task: "Plan WebSocket support", status: "completed", cost_usd: 0.02, log_dir: "/work/projects/api/runs/20261202-090001-aaaaaaaaaaaa", launched_at: "2026-12-02T09:00:01.000Z" }],
    usage: {
      conversation: { input_tokens: 900, output_tokens: 40, cached_tokens: 0, cost_usd: 0.0012, calls: 2 },
      runs: { input_tokens: 12000, output_tokens: 3000, cached_tokens: 100, cost_usd: 0.02, calls: 9 },
    },
    compaction: { summary: "The person wants WebSocket support.", upto: 1 },
  };
  saveRecord(created.dir, record);
  return { id: created.id, dir: created.dir, record, messages };
}
