import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PATCH_CHARS, readRunDetail } from "../../framework/runs/read-run-detail.ts";
import { tempDir } from "../project/temp-dir.ts";
import { handMadeRun } from "../support/hand-made-run.ts";

describe("readRunDetail()", () => {
  it("folds events.jsonl into answer versions with their labels and the votes with reasons, skipping a torn last line, and cuts a long patch", () => {
    const runsDir = tempDir("conclave-detail-");
    const run = handMadeRun(runsDir, ["alpha", "beta"]);
    run.append(
      { type: "run.agent.answered", agentId: "beta", round: 1, content: "Use Redis." },
      { type: "run.agent.answered", agentId: "beta", round: 2, content: "Use Redis, with a TTL." },
      { type: "run.agent.voted", agentId: "alpha", round: 2, label: "B", target: "beta.2", reason: "B has the TTL." },
      { type: "run.agent.presented", agentId: "beta", round: 3, content: "Redis with a TTL." },
    );
    run.appendText('{"type": "run.agent.voted", "agentId": "be');
    mkdirSync(join(run.dir, "final", "beta"), { recursive: true });
    writeFileSync(join(run.dir, "final", "beta", "changes.patch"), "+".repeat(PATCH_CHARS + 1));
    run.finish();

    const detail = readRunDetail(run.dir);
    expect(detail.answers).toEqual([
      { agent: "beta", version: "beta.1", label: "B", round: 1, t: 10, content: "Use Redis.", final: false },
      { agent: "beta", version: "beta.2", label: "B", round: 2, t: 20, content: "Use Redis, with a TTL.", final: false },
      { agent: "beta", version: "beta.final", label: "B", round: 3, t: 40, content: "Redis with a TTL.", final: true },
    ]);
    expect(detail.votes).toEqual([{ voter: "alpha", round: 2, t: 30, label: "B", target: "beta.2", reason: "B has the TTL." }]);
    expect(detail.patch).toBe(`${"+".repeat(PATCH_CHARS)}\n… (cut here: the whole patch is final/beta/changes.patch)`);
    expect([detail.run.status, detail.run.winner, detail.result?.winner, detail.status]).toEqual(["completed", "beta", "beta", null]);
  });
});
