import { describe, expect, it } from "vitest";
import { summariseConversation } from "../../../framework/models/scripted/summarise-conversation.ts";

describe("summariseConversation()", () => {
  it("keeps the summary so far, then the first line of each person message and reply, clipped to 100 characters", () => {
    const long = `Orchestrator: ${"x".repeat(120)}`;
    const content = `(summarise)\n\n# Summary so far\n\nPerson: Add caching.\nOrchestrator: Planned 3 steps.\n\n# Messages to fold in\n\nPerson: continue\nOrchestrator:  [calls launch_run {"task":"Step 2"}]\nTool launch_run: {"run_id":"r2"}\n${long}`;
    expect(summariseConversation([{ role: "user", content }]).split("\n")).toEqual([
      "Person: Add caching.",
      "Orchestrator: Planned 3 steps.",
      "Person: continue",
      `Orchestrator: ${"x".repeat(85)}…`,
    ]);
  });

  it("reads messages sent before the request too, and keeps the newest 40 lines", () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ role: i % 2 ? ("assistant" as const) : ("user" as const), content: `line ${i}\nmore` }));
    const lines = summariseConversation([...messages, { role: "user", content: "(summarise)" }]).split("\n");
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe("Person: line 10");
    expect(lines.at(-1)).toBe("Orchestrator: line 49");
  });
});
