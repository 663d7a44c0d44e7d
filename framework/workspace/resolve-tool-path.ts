import { relative, sep } from "node:path";
import { WorkspaceEscapeError } from "../errors.ts";
import { confinePath } from "./confine-path.ts";

/** A path a tool will use: where it is, which tree it is in, and how to show it to the agent. */
export interface ToolPath {
  absolute: string;
  /** The root of the tree the path is in: the workspace, or a view. */
  root: string;
  /** What to put before a path relative to `root` when showing it: "" or "@B/". */
  prefix: string;
}

const VIEW_PATH = /^@([A-Za-z0-9_-]+)(?:[/\\](.*))?$/s;

/**
 * Resolves a path from a tool call: `@B/<path>` inside the view named B (read-only), anything
 * else inside the workspace, both through `confinePath`. A first segment that is not a known
 * view name is an ordinary directory name.
 *
 * @example
 * resolveToolPath({ root: "/ws/a", views: { B: "/ws/b" } }, "@B/notes.md", "read");
 * // { absolute: "/ws/b/notes.md", root: "/ws/b", prefix: "@B/" }
 */
export function resolveToolPath(
  trees: { root: string; views: Record<string, string> },
  userPath: string,
  access: "read" | "write",
): ToolPath {
  const match = VIEW_PATH.exec(userPath);
  const view = match?.[1];
  const viewRoot = view === undefined ? undefined : trees.views[view];
  if (viewRoot === undefined) return { absolute: confinePath(trees.root, userPath), root: trees.root, prefix: "" };
  if (access === "write") {
    throw new WorkspaceEscapeError(
      `Refused path "${userPath}": "@${view}" is another agent's workspace, which is read-only. Write inside your own workspace, e.g. "${match?.[2] || "notes.md"}".`,
    );
  }
  return { absolute: confinePath(viewRoot, match?.[2] || "."), root: viewRoot, prefix: `@${view}/` };
}

/**
 * How to show an absolute path inside a ToolPath's tree to the agent: relative, `/`-separated,
 * with the view prefix; the root itself is "." (or "@B").
 *
 * @example
 * showPath({ absolute: "", root: "/ws/b", prefix: "@B/" }, "/ws/b/src/a.ts"); // "@B/src/a.ts"
 */
export function showPath(where: ToolPath, absolute: string): string {
  const rel = relative(where.root, absolute).split(sep).join("/");
  if (rel === "") return where.prefix ? where.prefix.slice(0, -1) : ".";
  return where.prefix + rel;
}
