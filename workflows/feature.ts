#!/usr/bin/env -S npx tsx
// Plan a feature, build each step, verify it, fix once if needed, and deliver a summary.
// Run: npx tsx workflows/feature.ts --project projects/demo      (add --dry-run to stay offline)
import { workflow } from "conclave";

await workflow("feature", async ({ plan, execute, verify, project, log }) => {
  const p = await plan("Add WebSocket support to the API server");
  const steps = p.data?.steps ?? [];
  const done: string[] = [];
  for (const step of steps) {
    const work = await execute(step.task, { writes: ["deliverables/"] });
    const check = await verify(`Does this satisfy "${step.title}"?`, { mode: "single", evidence: work });
    if (check.data && !check.data.passed) {
      log(`Fixing "${step.title}": ${check.data.issues.join("; ")}`);
      await execute(`Fix: ${check.data.issues.join("; ")}`, { writes: ["deliverables/"], evidence: work });
    }
    done.push(`- ${step.title}: ${work.status} (winner ${work.winner})`);
  }
  project.deliver("summary.md", `# WebSocket support\n\n## Plan\n\n${p.answer ?? ""}\n\n## Steps\n\n${done.join("\n")}\n`);
});
