import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { isTempFileName } from "../temp-file-name.ts";
import { confinePath } from "./confine-path.ts";
import { walkTree } from "./walk-tree.ts";

export interface WorkspaceSource {
  /** The directory to copy, absolute; created empty when it does not exist yet. */
  from: string;
  /** Where the copy goes inside the workspace, relative, e.g. "deliverables". */
  as: string;
}

export interface CreateWorkspaceOptions {
  /** The workspace directory, absolute; created when missing. */
  dir: string;
  sources: WorkspaceSource[];
}

export interface Workspace {
  dir: string;
  /** Each source with the absolute path of its copy and how many files were copied. */
  sources: (WorkspaceSource & { path: string; files: number })[];
  /** Entries not copied, relative to `dir`, each with the reason, e.g. "deliverables/link (symbolic link)". */
  skipped: string[];
}

/**
 * Makes an agent's workspace: creates `dir` and copies each source directory into `dir/<as>`,
 * regular files and directories only (file modes kept). Symbolic links and special files are
 * not copied and are listed in `skipped`. A source that does not exist yet is created empty, so
 * the winner's files can be written back to it later.
 *
 * The source may be changing while it is copied (another run writing back, a workflow
 * delivering): the framework's own temporary files (`*.<pid>.<hex>.tmp`, see `tempFileName`)
 * are never copied, and a file or directory that vanishes before it is copied is left out.
 *
 * @example
 * const ws = await createWorkspace({
 *   dir: "/proj/runs/r1/agents/a/workspace",
 *   sources: [{ from: "/proj/deliverables", as: "deliverables" }],
 * });
 * ws.sources[0].path; // "/proj/runs/r1/agents/a/workspace/deliverables"
 */
export async function createWorkspace(options: CreateWorkspaceOptions): Promise<Workspace> {
  const { dir, sources } = options;
  if (!isAbsolute(dir)) throw new ConfigError(`createWorkspace: \`dir\` must be an absolute path, received "${dir}".`);
  await mkdir(dir, { recursive: true });
  const skipped: string[] = [];
  const copied: Workspace["sources"] = [];
  for (const source of sources) {
    if (!isAbsolute(source.from)) {
      throw new ConfigError(`createWorkspace: \`sources[].from\` must be an absolute path, received "${source.from}".`);
    }
    // Checked before the mkdir, which would fail on a file with EEXIST (or make a folder under a missing name).
    if ((await stat(source.from).catch(() => undefined))?.isDirectory() === false) {
      throw new ConfigError(`createWorkspace: \`sources[].from\` must be a directory, but "${source.from}" is a file.`);
    }
    await mkdir(source.from, { recursive: true });
    const target = confinePath(resolve(dir), source.as);
    await mkdir(target, { recursive: true });
    const { entries } = await walkTree(source.from);
    let files = 0;
    for (const entry of entries) {
      const shown = `${source.as.replace(/\/+$/, "")}/${entry.path}`;
      if (entry.kind === "directory") await mkdir(join(target, entry.path), { recursive: true });
      else if (entry.kind === "file") {
        if (isTempFileName(entry.path)) continue;
        if (await copyIfPresent(join(source.from, entry.path), join(target, entry.path))) files++;
      } else skipped.push(`${shown} (${entry.kind === "symlink" ? "symbolic link" : "not a regular file"})`);
    }
    copied.push({ ...source, path: target, files });
  }
  return { dir, sources: copied, skipped };
}

// Copies a file that may vanish meanwhile (renamed or deleted by another process); false when it did.
async function copyIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await rm(to, { force: true });
    return false;
  }
}
