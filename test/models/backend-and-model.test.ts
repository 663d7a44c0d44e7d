import { describe, expect, it } from "vitest";
import { formatRunCard } from "../../framework/runner/approval.ts";
import { backendAndModel } from "../../framework/models/backend-and-model.ts";

describe("backendAndModel()", () => {
  it("names both, or the backend alone when the model is only its name again", () => {
    expect(backendAndModel("openai", "gpt-4.1-mini")).toBe("openai gpt-4.1-mini");
    expect(backendAndModel("scripted", "gpt-4.1-mini")).toBe("scripted gpt-4.1-mini");
    expect(backendAndModel("scripted", "scripted")).toBe("scripted");
  });

  it("the run card shows alpha (scripted), not alpha (scripted scripted)", () => {
    const card = formatRunCard(
      { task: "Name one risk", agents: [{ id: "alpha", backend: "scripted", model: "scripted" }, { id: "beta", backend: "openai", model: "gpt-4.1" }], mode: "multi", maxRounds: 4, writes: [], estimate: { tokens: 2000, usd: null } },
      "1. ask: Name one risk",
    );
    expect(card.split("\n")[2]).toBe("  agents     alpha (scripted), beta (openai gpt-4.1)");
  });
});
