import { describe, expect, it } from "vitest";
import { contextBar, sessionCost } from "../../framework/runner/context-bar.ts";
import { emptyRecord } from "../support/hand-made-session.ts";

describe("contextBar()", () => {
  it("says the project, the session, idle / running / complete, and the spend of the conversation and the runs together", () => {
    const record = emptyRecord("20261202-010203-ab12cd", "/work/projects/demo");
    expect(contextBar(record, 0)).toBe("demo · 20261202-010203-ab12cd · idle · $0.0000");
    record.usage.conversation.cost_usd = 0.0023;
    record.usage.runs.cost_usd = 0.01;
    record.runs.push({ run_id: "r1", task: "t", status: "running", cost_usd: null, log_dir: "/r1", launched_at: "" });
    expect(contextBar(record, 1)).toBe("demo · 20261202-010203-ab12cd · running 1 run · $0.0123");
    record.runs.push({ run_id: "r2", task: "t", status: "completed", cost_usd: 0.01, log_dir: "/r2", launched_at: "" });
    expect(contextBar(record, 2)).toBe("demo · 20261202-010203-ab12cd · running 2 runs · $0.0123");
    expect(contextBar(record, 0)).toBe("demo · 20261202-010203-ab12cd · complete · 2 runs · $0.0123");
  });

  it("says no project for a session without one, and n/a once a call had no price", () => {
    const record = emptyRecord("20261202-010203-ab12cd", null);
    record.usage.runs.cost_usd = null;
    expect(sessionCost(record)).toBeNull();
    expect(contextBar(record, 0)).toBe("no project · 20261202-010203-ab12cd · idle · n/a");
  });
});
