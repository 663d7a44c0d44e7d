#!/usr/bin/env -S npx tsx
// Independent multi-agent review of the files the project lists, the consensus list of issues,
// then a single-agent re-check.
// Run: npx tsx workflows/review.ts --dry-run        (its project: projects/review, two small modules to review)
import { workflow } from "conclave";
import { z } from "zod";

const Issues = z.object({
  issues: z.array(z.object({ file: z.string(), title: z.string(), severity: z.enum(["high", "medium", "low"]), detail: z.string() })),
});

await workflow("review", async ({ run, verify, project, log }) => {
  // The files filepaths.json lists are in every prompt of the run (the project's context), contents and all.
  const files = project.filepaths().files.map((f) => f.path);
  // Independent: no refinement, so each reviewer's list stands on its own before the vote.
  const review = await run({
    task: "Review the files the project lists against CONTEXT.md's goals and constraints. List every issue with the file it is in and a severity.",
    refinement: false,
    output: Issues,
  });
  const issues = review.data?.issues ?? [];
  log(`${issues.length} issue(s) agreed by vote (${review.winner_reason}) in ${files.length} file(s): ${files.join(", ") || "none listed"}`);
  const recheck = await verify("Is each of these issues real, and is any high-severity issue missing?", {
    mode: "single",
    evidence: review,
  });
  const lines = issues.map((i) => `- **${i.severity}** \`${i.file}\` ${i.title}: ${i.detail}`);
  project.deliver(
    "review.md",
    `# Review\n\nFiles: ${files.map((f) => `\`${f}\``).join(", ") || "none listed in filepaths.json"}\n\n${lines.join("\n") || "No issues."}\n\n## Re-check\n\n${recheck.data?.passed ? "Confirmed." : (recheck.data?.issues ?? []).map((i) => `- ${i}`).join("\n")}\n`,
  );
});
