import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { resolveToolPath, showPath } from "../resolve-tool-path.ts";
import { utf8Prefix } from "../truncate-text.ts";
import { walkTree } from "../walk-tree.ts";
import { defineTool } from "./define-tool.ts";

const LIST_LIMIT = 2000;

/**
 * `list_files {path?}`: every file and directory under `path` (default the workspace root),
 * recursively, one path a line, relative to the workspace (or `@B/…` in a view); directories
 * end in `/`, symbolic links are marked and not followed. At most 2000 entries.
 *
 * @example
 * await listFilesTool.run({}, settings); // { ok: true, content: "deliverables/\ndeliverables/plan.md" }
 */
export const listFilesTool = defineTool({
  name: "list_files",
  description:
    "List the files and directories under a directory of your workspace (default: all of it), recursively. Use @<label>/ for another agent's workspace.",
  args: z.strictObject({
    path: z.string().optional().describe('A directory, e.g. "deliverables"; default the workspace root.'),
  }),
  async run({ path }, settings) {
    const where = resolveToolPath(settings, path || ".", "read");
    const shownRoot = showPath(where, where.absolute);
    if (!(await stat(where.absolute)).isDirectory()) return { ok: true, content: shownRoot };
    const { entries, truncated } = await walkTree(where.absolute, { limit: LIST_LIMIT });
    if (entries.length === 0) return { ok: true, content: `"${shownRoot}" is empty.` };
    const lines = entries.map((entry) => {
      const shown = showPath(where, join(where.absolute, entry.path));
      if (entry.kind === "directory") return `${shown}/`;
      if (entry.kind === "symlink") return `${shown} (symbolic link, not followed)`;
      return entry.kind === "other" ? `${shown} (not a regular file)` : shown;
    });
    let content = lines.join("\n");
    const bytes = Buffer.from(content);
    const cut = bytes.length > settings.maxOutputBytes;
    if (cut) content = utf8Prefix(bytes, settings.maxOutputBytes).toString("utf8").replace(/\n[^\n]*$/, "");
    if (truncated || cut) {
      content += `\n[truncated: more entries than shown under "${shownRoot}"; list a subdirectory]`;
    }
    return { ok: true, content };
  },
});
