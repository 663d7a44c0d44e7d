import { existsSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import type { AgentTools } from "../coordination/agent-actor.ts";
import { labelFor } from "../coordination/run-context.ts";
import { ConclaveError, ConfigError } from "../errors.ts";
import { withFileLock } from "../project/with-file-lock.ts";
import { isInside } from "../workspace/confine-path.ts";
import { createToolbox } from "../workspace/create-toolbox.ts";
import { createWorkspace } from "../workspace/create-workspace.ts";
import { diffDirectories } from "../workspace/diff-directories.ts";
import type { AskHuman, HumanQuery } from "../workspace/human-query.ts";
import { chooseSandbox, UNCONFINED_NOTICE } from "../workspace/sandbox/choose-sandbox.ts";
import type { CommandSettings } from "../workspace/toolbox-options.ts";
import { writeBack, type WriteBackResult } from "../workspace/write-back.ts";
import type { ContextPath } from "./run-options.ts";

/** One path the agents work on: where it is, and what it is called inside each workspace. */
export interface SharedPath {
  abs: string;
  as: string;
  permission: "read" | "write";
}

export interface RunWorkspacesOptions {
  runDir: string;
  agents: string[];
  /** The context paths, from resolveContextPaths. */
  paths: SharedPath[];
  planning: boolean;
  /** The config's `commands`: which programs, and the sandbox they run in. */
  commands: CommandSettings;
  commandTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** Told once per run when commands run without a sandbox, or when run_command will be refused for want of one. */
  onNotice?: (line: string) => void;
  askHuman?: AskHuman;
  /** The lock file that write-backs to the same project take turns on, e.g. `<project>/runs/writeback.lock`. */
  lockPath: string;
  /** Stops a wait for the write-back lock (Ctrl+C); the changes then stay in changes.patch. */
  signal?: AbortSignal;
  onTool?: (agentId: string, event: { tool: string; ok: boolean; detail: string }) => void;
  /**
   * A resumed run whose agents had begun: the base snapshot and the workspaces its earlier process
   * made are kept as they are (what the agents did is in them). Without it, any there are made anew.
   */
  reuse?: boolean;
}

/** What the winner's changes came to at finalization. */
export interface RunChanges {
  /** final/<winner>/changes.patch: the winner's workspace against the base snapshot. */
  patch_path: string;
  /** Every file the winner changed, e.g. "deliverables/plan.md". */
  files: string[];
  /** True when the three-way apply ran (even if some files were conflicts). */
  written_back: boolean;
  /** Why they were not written back, when they were not. */
  reason?: string;
  /** Files changed in the project meanwhile too, whose changes were merged line by line. */
  merged: string[];
  /** Files changed in the project meanwhile too and left as they were; the winner's versions are under final/<winner>/conflicts/. */
  conflicts: string[];
}

/**
 * The agents' workspaces of one run (docs/architecture.md §6): each agent gets its own copy of the context
 * paths under `agents/<id>/workspace/`, tools confined to it, read-only views of the others'
 * while voting, and at the end the winner's changes as `changes.patch`, written back on approval.
 * In a run that writes, the copies are made from one base snapshot, `base/<path>/`, kept until
 * the end: the write-back is a three-way apply of the winner's changes against it, under
 * `lockPath`, so concurrent runs and the user's own edits meanwhile are never lost.
 */
export function createRunWorkspaces(options: RunWorkspacesOptions) {
  const shared = options.paths;
  const writable = !options.planning && shared.some((p) => p.permission === "write");
  const dirOf = (agentId: string) => join(options.runDir, "agents", agentId, "workspace");
  const baseDir = join(options.runDir, "base");
  const labels = new Map(options.agents.map((id, i) => [id, labelFor(i)]));

  return {
    /** True when the run has anything for the agents to work on. */
    active: shared.length > 0,
    async prepare(): Promise<void> {
      if (shared.length === 0) return;
      if (!options.planning && options.commands.allow.length > 0) await noticeSandbox(options);
      if (options.reuse && (!writable || existsSync(baseDir)) && options.agents.every((id) => existsSync(dirOf(id)))) return;
      // A copy a killed process may have left half made goes first.
      for (const dir of [baseDir, ...options.agents.map(dirOf)]) await rm(dir, { recursive: true, force: true });
      // One snapshot of the project, then every agent's copy from it: all start from the same base.
      if (writable) await createWorkspace({ dir: baseDir, sources: shared.map((p) => ({ from: p.abs, as: p.as })) });
      const from = (p: SharedPath) => (writable ? join(baseDir, p.as) : p.abs);
      for (const id of options.agents) {
        await createWorkspace({ dir: dirOf(id), sources: shared.map((p) => ({ from: from(p), as: p.as })) });
      }
    },
    tools(agentId: string, phase: "generation" | "voting" | "presentation"): AgentTools | undefined {
      if (shared.length === 0) return undefined;
      const views: Record<string, string> = {};
      if (phase === "voting") for (const other of options.agents) if (other !== agentId) views[labels.get(other)!] = dirOf(other);
      const mine = shared.filter((p) => p.permission === "write" && writable).map((p) => p.as);
      const readOnly = shared.filter((p) => !mine.includes(p.as)).map((p) => p.as);
      const lines = [
        "# Your workspace",
        "",
        "You work on your own copy of these paths; the others do not see your changes until voting. Paths in the file tools are relative to the workspace.",
        ...mine.map((p) => `- \`${p}/\`: you may read and write here; the winner's changes are kept.`),
        ...readOnly.map((p) => `- \`${p}/\`: read only.`),
        ...(Object.keys(views).length ? [`- The other answers' workspaces, read only: ${Object.keys(views).map((l) => `\`@${l}/\``).join(", ")}.`] : []),
        "Do the work in the files, then post your answer with `new_answer`, saying what you changed.",
      ];
      const toolbox = createToolbox({
        root: dirOf(agentId),
        writable,
        views,
        ...(!options.planning && { commands: options.commands }),
        commandTimeoutMs: options.commandTimeoutMs,
        env: options.env,
        ...(options.askHuman && { askHuman: (query: HumanQuery, signal?: AbortSignal) => options.askHuman!(query, signal, { agent: agentId }) }),
        onEvent: (e) => options.onTool?.(agentId, e),
      });
      return { ...toolbox, has: (name: string) => toolbox.has(name), call: toolbox.call.bind(toolbox), brief: lines.join("\n"), writable: mine };
    },
    /** Writes final/<winner>/changes.patch and, when `approve` allows, applies the winner's changes to the project. */
    async finish(winner: string, approve: (card: { changes: string[]; patchPath: string }) => Promise<boolean>, completed: boolean): Promise<RunChanges | undefined> {
      const written = shared.filter((p) => p.permission === "write");
      if (!writable || written.length === 0) return undefined;
      let patch = "";
      for (const p of written) patch += await diffDirectories(join(baseDir, p.as), join(dirOf(winner), p.as), { prefix: p.as });
      const finalDir = join(options.runDir, "final", winner);
      mkdirSync(finalDir, { recursive: true });
      const patchPath = join(finalDir, "changes.patch");
      writeFileAtomic(patchPath, patch);
      const files = changedFiles(patch);
      const kept = (reason: string): RunChanges => ({ patch_path: patchPath, files, written_back: false, reason, merged: [], conflicts: [] });
      if (files.length === 0) return kept("no changes");
      if (!completed) return kept("the run did not complete");
      if (!(await approve({ changes: files, patchPath }))) return kept("not approved");
      const done: WriteBackResult[] = [];
      try {
        await withFileLock(
          options.lockPath,
          async () => {
            for (const p of written) {
              const result = await writeBack({ base: join(baseDir, p.as), from: join(dirOf(winner), p.as), to: p.abs, conflictsDir: join(finalDir, "conflicts", p.as) });
              done.push(prefixed(result, p.as));
            }
          },
          { timeoutMs: 60_000, ...(options.signal && { signal: options.signal }) },
        );
      } catch (error) {
        // Waiting for another run's write-back was stopped or took too long: nothing was written.
        if (error instanceof ConclaveError && (error.code === "lock_aborted" || error.code === "lock_timeout")) return kept(error.message);
        throw error;
      }
      return { patch_path: patchPath, files, written_back: true, merged: done.flatMap((d) => d.merged), conflicts: done.flatMap((d) => d.conflicts) };
    },
  };
}

// Says once per run what the user should know about where commands run: unconfined, or refused for want of a sandbox.
async function noticeSandbox(options: RunWorkspacesOptions): Promise<void> {
  if (!options.onNotice) return;
  const sandbox = await chooseSandbox({
    mode: options.commands.sandbox ?? "auto",
    root: options.runDir,
    network: options.commands.network ?? false,
    env: options.commands.env ?? [],
    base: options.env,
  });
  if (sandbox.kind === "none") options.onNotice(`Warning: ${UNCONFINED_NOTICE}`);
  else if (sandbox.kind === "refused") options.onNotice(`Warning: ${sandbox.message}`);
}

/**
 * Where the winner's version of a conflicting file was kept: `final/<winner>/conflicts/<path>`.
 *
 * @example
 * result.changes.conflicts.map((path) => conflictCopyPath(result.changes!, path));
 * // ["/proj/runs/r1/final/alpha/conflicts/deliverables/api.md"]
 */
export function conflictCopyPath(changes: RunChanges, path: string): string {
  return join(dirname(changes.patch_path), "conflicts", path);
}

// A write-back's paths as the run reports them, under the context path's name.
function prefixed(result: WriteBackResult, as: string): WriteBackResult {
  const under = (paths: string[]) => paths.map((path) => `${as.replace(/\/+$/, "")}/${path}`);
  return { written: under(result.written), removed: under(result.removed), merged: under(result.merged), conflicts: under(result.conflicts) };
}

// Every file a patch touches, from its `diff --git a/<p> b/<p>` headers (an empty new file has no +++ line).
function changedFiles(patch: string): string[] {
  return [...patch.matchAll(/^diff --git (.+)$/gm)].map((m) => {
    const rest = m[1]!;
    const length = (rest.length - 5) / 2;
    return rest.slice(2, 2 + length);
  });
}

/**
 * Context paths resolved against `base` (the project's directory, else the working directory):
 * each must stay inside it, and is named by its relative path inside every workspace.
 * Throws ConfigError, before anything is written, for a path outside, one that is a file, or one that holds
 * (or is inside) `runsDir`.
 */
export function resolveContextPaths(base: string, paths: ContextPath[], runsDir?: string): SharedPath[] {
  const runs = runsDir === undefined ? undefined : resolve(runsDir);
  let realBase: string | undefined; // the project's real path, found for the first path written to
  return paths.map((p) => {
    const abs = resolve(base, p.path);
    const as = relative(base, abs);
    if (!as || as === ".." || as.startsWith(`..${sep}`) || resolve(base, as) !== abs) {
      throw new ConfigError(`context path \`${p.path}\` is outside ${base}: give a path inside the project, such as \`deliverables/\`.`);
    }
    // The run directories themselves: every agent would get a copy of every earlier run (and write into them).
    if (runs !== undefined && (isInside(abs, runs) || isInside(runs, abs))) {
      throw new ConfigError(`context path \`${p.path}\` holds the run directories (${runs}): the agents would get a copy of every earlier run. Give a directory of the project's own files, such as \`deliverables/\`.`);
    }
    // A directory whose files the agents get copies of (made when missing), never a file: a file there would be made a folder of, or fail.
    if (statSync(abs, { throwIfNoEntry: false })?.isDirectory() === false) {
      const folder = dirname(as) === "." ? "a folder such as `deliverables/`" : `its folder, \`${dirname(as)}/\``;
      throw new ConfigError(`context path \`${p.path}\` is a file: context paths (a workflow step's \`reads\` and \`writes\`) name directories, whose files the agents get copies of. Give ${folder}.`);
    }
    // Written back to, a path must stay inside the project for real: a symbolic link in it may be read through, not written through.
    if (p.permission === "write") {
      const real = realpathOfDeepest(abs);
      realBase ??= realpathOfDeepest(base);
      if (!isInside(realBase, real)) {
        throw new ConfigError(`context path \`${p.path}\` leads outside ${base} through a symbolic link (to ${real}): a path the agents write must be inside the project. Give a directory inside it, or make it read-only.`);
      }
    }
    return { abs, as, permission: p.permission };
  });
}

// The real path of `path`, through the deepest part of it that exists (the rest, not made yet, appended as it is).
function realpathOfDeepest(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return join(realpathSync(existing), relative(existing, path));
}
