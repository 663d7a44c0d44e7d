import { existsSync, readFileSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { describeIssue, STORED_MESSAGE_SCHEMA } from "./session-schema.ts";
import type { StoredMessage } from "./session-types.ts";

/** The messages of a messages.jsonl, and whether its last line was torn (and skipped). */
export interface ReadMessages {
  messages: StoredMessage[];
  /** The last line was cut short (a process killed while appending it) and is left out. */
  torn: boolean;
}

/**
 * Reads a session's messages.jsonl, oldest first. A last line that does not parse is the message a
 * killed process was writing: it is skipped (`torn: true`) and everything before it is returned.
 * A bad line anywhere else is a ConfigError naming the file and the line. A missing file has no messages.
 *
 * @example
 * const { messages, torn } = readMessages("projects/demo/sessions/20261202-091500-3fa9c1/messages.jsonl");
 */
export function readMessages(file: string): ReadMessages {
  if (!existsSync(file)) return { messages: [], torn: false };
  const lines = readFileSync(file, "utf8").split("\n");
  // A file ends with "\n" when its last append finished: then the last piece is "".
  const last = lines.length - 1;
  const messages: StoredMessage[] = [];
  let torn = false;
  for (let i = 0; i <= last; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (i === last) {
        torn = true;
        break;
      }
      throw new ConfigError(`${file}: line ${i + 1} is not JSON (${(error as Error).message}); only the last line may be cut short. Repair or remove that line to read the session.`);
    }
    const parsed = STORED_MESSAGE_SCHEMA.safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(`${file}: line ${i + 1} is not a message: ${describeIssue(parsed.error)}. Repair or remove that line to read the session.`);
    }
    messages.push(parsed.data as StoredMessage);
  }
  return { messages, torn };
}
