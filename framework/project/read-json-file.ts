import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { formatIssues } from "../config/load-config.ts";
import { ConfigError } from "../errors.ts";
import { displayPath } from "./display-path.ts";
import { jsonSyntaxError } from "./json-syntax-error.ts";

/**
 * Reads a JSON file and validates it with `schema`; undefined when the file does not exist.
 * Errors name the file, the line and the field: `projects/demo/filepaths.json:4 files[1].path:
 * expected string, got 3`. Lines come from the yaml package (JSON is YAML), read only on failure.
 *
 * @example
 * const filepaths = readJsonFile("projects/demo/filepaths.json", filepathsSchema) ?? { files: [], directories: [] };
 */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S): z.output<S> | undefined {
  const label = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read \`${label}\`: ${code === "EISDIR" ? "it is a directory" : String(cause)}. Make it a readable JSON file.`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const found = jsonSyntaxError(text) ?? { offset: text.length, message: (cause as Error).message };
    throw new ConfigError(`${label}:${lineAt(text, found.offset)} malformed JSON: ${found.message}. Fix the file so it is valid JSON.`, { cause });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  throw new ConfigError(formatIssues(result.error.issues, label, doc, lines));
}

// The 1-based line of a character offset.
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
