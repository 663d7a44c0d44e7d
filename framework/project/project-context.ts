import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { checkContextSize, DEFAULT_CONTEXT_MAX_BYTES, type ContextPart } from "./check-context-size.ts";
import { displayPath } from "./display-path.ts";
import { formatBytes as kb } from "./format-bytes.ts";
import { readCapped, type CappedText } from "./read-capped.ts";
import type { FilepathEntry, Filepaths } from "./read-filepaths.ts";

/** At most this many bytes of one listed file go into the context. */
export const CONTEXT_FILE_CAP = 20 * 1024;
/** At most this many bytes of listed files' contents, all together, go into the context. */
export const CONTEXT_TOTAL_CAP = 100 * 1024;

/**
 * The text placed first in every run's prompt: CONTEXT.md, then a "Files" section listing
 * filepaths.json's files and directories with their descriptions, then the contents of each
 * listed file that exists (each cut at `CONTEXT_FILE_CAP`, all cut at `CONTEXT_TOTAL_CAP`, with
 * a note where cut). A listed file that does not exist is marked missing, not an error.
 * A context over `maxBytes` (default 1 MB) is a ConfigError naming the biggest files; a
 * CONTEXT.md over it is refused before it is read.
 *
 * @example
 * projectContext({ dir, contextPath: join(dir, "CONTEXT.md"), filepaths: readFilepaths(join(dir, "filepaths.json")) });
 */
export function projectContext(project: { dir: string; contextPath: string; filepaths: Filepaths }, options: { maxBytes?: number } = {}): string {
  const { dir, contextPath, filepaths } = project;
  const maxBytes = options.maxBytes ?? DEFAULT_CONTEXT_MAX_BYTES;
  const contextFile: ContextPart = { name: `\`${displayPath(contextPath)}\``, bytes: sizeOf(contextPath) };
  if (contextFile.bytes > maxBytes) checkContextSize([contextFile, ...listedParts(dir, filepaths)], maxBytes);
  const out = [readContextFile(contextPath).trimEnd()];
  if (filepaths.files.length + filepaths.directories.length === 0) return done(`${out[0]}\n`);

  const kinds = new Map(filepaths.files.map((f) => [f.path, kindOf(resolve(dir, f.path))]));
  out.push("## Files", "Paths are relative to the project directory.");
  const list = [
    ...filepaths.files.map((f) => listLine(f.path, kinds.get(f.path) === "file" ? "" : ` (${kinds.get(f.path)})`, f)),
    ...filepaths.directories.map((d) => listLine(d.path.endsWith("/") ? d.path : `${d.path}/`, " (directory)", d)),
  ];
  out.push(list.join("\n"));

  let budget = CONTEXT_TOTAL_CAP;
  const notShown: string[] = [];
  for (const file of filepaths.files) {
    if (kinds.get(file.path) !== "file") continue;
    const cap = Math.min(CONTEXT_FILE_CAP, budget);
    let read: CappedText;
    try {
      read = readCapped(resolve(dir, file.path), cap);
    } catch (error) {
      out.push(`### ${file.path}`, `(cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      continue;
    }
    if (read.bytes === 0 && read.size > 0 && !read.binary && cap < CONTEXT_FILE_CAP) {
      notShown.push(`\`${file.path}\``);
      continue;
    }
    budget -= read.bytes;
    out.push(`### ${file.path}`);
    if (read.binary) out.push(`(binary, ${kb(read.size)}; not shown)`);
    else if (read.size === 0) out.push("(empty)");
    else out.push(fenced(read.text));
    if (!read.binary && read.bytes < read.size) {
      const why = cap < CONTEXT_FILE_CAP ? `; file contents in the project context are capped at ${kb(CONTEXT_TOTAL_CAP)}` : "";
      out.push(`(cut: the first ${kb(read.bytes)} of ${kb(read.size)} are shown${why})`);
    }
  }
  if (notShown.length > 0) out.push(`(not shown, because file contents in the project context are capped at ${kb(CONTEXT_TOTAL_CAP)}: ${notShown.join(", ")})`);
  return done(`${out.join("\n\n")}\n`);

  // The context as built, unless it is over the cap.
  function done(text: string): string {
    const bytes = Buffer.byteLength(text);
    const listed = { name: "the files filepaths.json lists, with their list", bytes: bytes - Math.min(contextFile.bytes, bytes) };
    if (bytes > maxBytes) checkContextSize([{ ...contextFile, bytes: bytes - listed.bytes }, listed], maxBytes);
    return text;
  }
}

// Size in bytes of a file; 0 when it cannot be read (reading it says why).
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

// Each listed file as a part of the context: what it adds (at most CONTEXT_FILE_CAP), and its size on disk when bigger.
function listedParts(dir: string, filepaths: Filepaths): ContextPart[] {
  return filepaths.files.map((file) => {
    const size = sizeOf(resolve(dir, file.path));
    const bytes = Math.min(size, CONTEXT_FILE_CAP);
    return { name: `\`${file.path}\``, bytes, ...(size > bytes && { note: `${kb(size)} on disk, cut to ${kb(bytes)}` }) };
  });
}

function readContextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read \`${displayPath(path)}\`: ${(cause as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(cause)}. Every project has a CONTEXT.md (goals, constraints, state); write one.`, { cause });
  }
}

// What a listed file turned out to be on disk.
function kindOf(path: string): "file" | "missing" | "a directory" {
  try {
    return statSync(path).isDirectory() ? "a directory" : "file";
  } catch {
    return "missing";
  }
}

function listLine(path: string, marker: string, entry: FilepathEntry): string {
  return `- \`${path}\`${marker}${entry.description ? `: ${entry.description}` : ""}`;
}

// A code fence longer than any run of backticks inside `text`.
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}\n${text.endsWith("\n") ? text : `${text}\n`}${fence}`;
}
