import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";

/** The most lines the REPL's history keeps. */
export const HISTORY_LINES = 1000;

/**
 * The lines typed in a session's REPL, newest first (as readline keeps them), from
 * `<session dir>/history` (one line each, oldest first); none when there is no file yet.
 *
 * @example
 * createInterface({ input, output, history: readChatHistory(session.dir) });
 */
export function readChatHistory(sessionDir: string): string[] {
  const path = join(sessionDir, "history");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter(Boolean).slice(-HISTORY_LINES).reverse();
}

/** Replaces `<session dir>/history` (atomically) with readline's history, newest first. */
export function writeChatHistory(sessionDir: string, history: readonly string[]): void {
  writeFileAtomic(join(sessionDir, "history"), history.slice(0, HISTORY_LINES).toReversed().map((l) => `${l}\n`).join(""));
}
