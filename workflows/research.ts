#!/usr/bin/env -S npx tsx
// Independent perspectives without refinement, then a refinement run on the same question with
// the first run as context.
// Run: npx tsx workflows/research.ts --dry-run      (its project: projects/research, the question's context and sources)
import { workflow } from "conclave";

const question = "Which transport should the API server use for live updates: WebSockets, SSE or long polling?";

await workflow("research", async ({ run, project }) => {
  const perspectives = await run({ task: question, refinement: false, id: "perspectives" });
  const refined = await run({
    task: question,
    refinement: true,
    context: `# Independent perspectives (the vote chose ${perspectives.winner}: ${perspectives.winner_reason})\n\n${perspectives.answer ?? ""}`,
    id: "refined",
  });
  project.deliver("research.md", `# ${question}\n\n${refined.answer ?? ""}\n`);
});
