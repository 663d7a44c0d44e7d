import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { formatMegabytes } from "../../format-megabytes.ts";
import { notRegularFile } from "../open-regular-file.ts";
import { resolveToolPath, showPath } from "../resolve-tool-path.ts";
import { searchInWorker, type SearchPattern } from "../search-in-worker.ts";
import { walkTree } from "../walk-tree.ts";
import { defineTool } from "./define-tool.ts";

const SEARCH_MATCH_LIMIT = 200;
const FILE_SCAN_LIMIT = 20_000;
const FILE_SIZE_LIMIT = 2_000_000;
const LINE_SHOWN = 300;

/**
 * `search_files {pattern, path?}`: the lines of the text files under `path` (default the
 * workspace) that contain `pattern`, a plain substring or a `/regex/flags`, as `file:line: text`.
 * At most 200 matches; binary files and files over 2 MB are skipped, the latter named in the
 * answer. The search runs in a worker thread: a regex that would backtrack for minutes is
 * stopped after `searchTimeoutMs` (an error for the agent), and a cancelled turn stops it at once.
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
  async run({ pattern, path }, settings, signal) {
    const wanted = parsePattern(pattern);
    if (typeof wanted === "string") return { ok: false, content: wanted };
    const where = resolveToolPath(settings, path || ".", "read");
    const scope = showPath(where, where.absolute);
    const top = await stat(where.absolute);
    if (!top.isDirectory() && !top.isFile()) throw notRegularFile("search_files", scope, top);
    const files = top.isDirectory()
      ? (await walkTree(where.absolute, { limit: FILE_SCAN_LIMIT })).entries
          .filter((entry) => entry.kind === "file")
          .map((entry) => join(where.absolute, entry.path))
      : [where.absolute];
    const outcome = await searchInWorker(
      {
        files: files.map((file) => ({ path: file, shown: showPath(where, file) })),
        pattern: wanted,
        limits: { matches: SEARCH_MATCH_LIMIT, outputBytes: settings.maxOutputBytes, fileBytes: FILE_SIZE_LIMIT, lineShown: LINE_SHOWN },
      },
      { timeoutMs: settings.searchTimeoutMs, ...(signal && { signal }) },
    );
    if (outcome.kind === "cancelled") return { ok: false, content: "search_files was cancelled." };
    if (outcome.kind === "timeout") {
      return {
        ok: false,
        content: `search_files stopped after ${settings.searchTimeoutMs / 1000} s: the pattern ${pattern} is too slow on these files (a regex like /(a+)+$/ can take exponential time). Search for a plain substring, simplify the regex, or narrow the path.`,
      };
    }
    const { lines, more, tooLarge } = outcome;
    const skipped = tooLarge.length === 0 ? "" : `\n${skippedNote(tooLarge)}`;
    if (lines.length === 0) return { ok: true, content: `No matches for ${JSON.stringify(pattern)} in "${scope}".${skipped}` };
    if (more) lines.push(`[truncated: stopped after ${lines.length} matches; narrow the pattern or the path]`);
    return { ok: true, content: lines.join("\n") + skipped };
  },
});

// The line saying which files were too large to search: all names up to five, then a count.
function skippedNote(names: string[]): string {
  const shown = names.slice(0, 5).map((name) => `"${name}"`).join(", ");
  const rest = names.length > 5 ? ` and ${names.length - 5} more` : "";
  const what = names.length === 1 ? "1 file" : `${names.length} files`;
  return `[skipped ${what} over search_files' size limit of ${formatMegabytes(FILE_SIZE_LIMIT)}, not searched: ${shown}${rest}; search them with run_command (grep), where it is allowed]`;
}

// A substring or a /regex/flags that compiles, or the message for an invalid regex.
function parsePattern(pattern: string): SearchPattern | string {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!regex) return { text: pattern };
  try {
    const compiled = new RegExp(regex[1] ?? "", (regex[2] ?? "").replace(/[gy]/g, ""));
    return { regex: { source: compiled.source, flags: compiled.flags } };
  } catch (error) {
    return `Invalid regular expression ${pattern}: ${(error as Error).message}. Write a plain substring, or a JavaScript regex between slashes.`;
  }
}
