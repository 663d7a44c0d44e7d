#!/usr/bin/env -S npx tsx
// Independent multi-agent review, the consensus list of issues, then a single-agent re-check.
// Run: npx tsx workflows/review.ts --project projects/demo
import { workflow } from "conclave";
import { z } from "zod";

const Issues = z.object({
  issues: z.array(z.object({ title: z.string(), severity: z.enum(["high", "medium", "low"]), detail: z.string() })),
});

await workflow("review", async ({ run, verify, project, log }) => {
  // Independent: no refinement, so each reviewer's list stands on its own before the vote.
  const review = await run({
    task: "Review the deliverables against CONTEXT.md's goals and constraints. List every issue with a severity.",
    refinement: false,
    output: Issues,
    context_paths: [{ path: "deliverables/", permission: "read" }],
  });
  const issues = review.data?.issues ?? [];
  log(`${issues.length} issue(s) agreed by vote (${review.winner_reason})`);
  const recheck = await verify("Is each of these issues real, and is any high-severity issue missing?", {
    mode: "single",
    evidence: review,
    reads: ["deliverables/"],
  });
  const lines = issues.map((i) => `- **${i.severity}** ${i.title}: ${i.detail}`);
  project.deliver(
    "review.md",
    `# Review\n\n${lines.join("\n") || "No issues."}\n\n## Re-check\n\n${recheck.data?.passed ? "Confirmed." : (recheck.data?.issues ?? []).map((i) => `- ${i}`).join("\n")}\n`,
  );
});
