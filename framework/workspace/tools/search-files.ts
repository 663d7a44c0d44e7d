import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { resolveToolPath, showPath } from "../resolve-tool-path.ts";
import { isBinary } from "../truncate-text.ts";
import { walkTree } from "../walk-tree.ts";
import { defineTool } from "./define-tool.ts";

const SEARCH_MATCH_LIMIT = 200;
const FILE_SCAN_LIMIT = 20_000;
const FILE_SIZE_LIMIT = 2 * 1024 * 1024;
const LINE_SHOWN = 300;

/**
 * `search_files {pattern, path?}`: the lines of the text files under `path` (default the
 * workspace) that contain `pattern`, a plain substring or a `/regex/flags`, as `file:line: text`.
 * At most 200 matches; binary files and files over 2 MiB are skipped.
 *
 * @example
 * await searchFilesTool.run({ pattern: "/TODO|FIXME/" }, settings);
 * // { ok: true, content: "src/a.ts:12: // TODO: retry" }
 */
export const searchFilesTool = defineTool({
  name: "search_files",
  description:
    "Search the text files under a directory (default: your whole workspace) for a plain substring, or a JavaScript regular expression written /like this/i. Returns file:line: text lines.",
  args: z.strictObject({
    pattern: z.string().min(1).describe('A substring, or a regex between slashes, e.g. "/fetch\\(/".'),
    path: z.string().optional().describe("A directory or file to search; default the workspace root."),
  }),
  async run({ pattern, path }, settings) {
    const test = matcher(pattern);
    if (typeof test === "string") return { ok: false, content: test };
    const where = resolveToolPath(settings, path || ".", "read");
    const files = (await stat(where.absolute)).isDirectory()
      ? (await walkTree(where.absolute, { limit: FILE_SCAN_LIMIT })).entries
          .filter((entry) => entry.kind === "file")
          .map((entry) => join(where.absolute, entry.path))
      : [where.absolute];
    const lines: string[] = [];
    let bytes = 0;
    let more = false;
    for (const file of files) {
      if ((await stat(file)).size > FILE_SIZE_LIMIT) continue;
      const data = await readFile(file);
      if (isBinary(data)) continue;
      const shown = showPath(where, file);
      const fileLines = data.toString("utf8").split(/\r?\n/);
      for (let i = 0; i < fileLines.length && !more; i++) {
        const text = fileLines[i] ?? "";
        if (!test(text)) continue;
        const line = `${shown}:${i + 1}: ${text.length > LINE_SHOWN ? `${text.slice(0, LINE_SHOWN)}…` : text}`;
        more = lines.length >= SEARCH_MATCH_LIMIT || bytes + line.length > settings.maxOutputBytes;
        if (!more) {
          lines.push(line);
          bytes += line.length + 1;
        }
      }
      if (more) break;
    }
    const scope = showPath(where, where.absolute);
    if (lines.length === 0) return { ok: true, content: `No matches for ${JSON.stringify(pattern)} in "${scope}".` };
    if (more) lines.push(`[truncated: stopped after ${lines.length} matches; narrow the pattern or the path]`);
    return { ok: true, content: lines.join("\n") };
  },
});

// A line test for a substring or a /regex/flags, or the message for an invalid regex.
function matcher(pattern: string): ((line: string) => boolean) | string {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!regex) return (line) => line.includes(pattern);
  try {
    const compiled = new RegExp(regex[1] ?? "", (regex[2] ?? "").replace(/[gy]/g, ""));
    return (line) => compiled.test(line);
  } catch (error) {
    return `Invalid regular expression ${pattern}: ${(error as Error).message}. Write a plain substring, or a JavaScript regex between slashes.`;
  }
}
