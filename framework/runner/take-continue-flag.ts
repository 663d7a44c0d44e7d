import { ConfigError } from "../errors.ts";
import { isSessionId } from "../session/new-session-id.ts";

/**
 * Takes `--continue [<id>|latest]` out of `conclave ask`'s arguments, whose value is optional:
 * the word after it is the session when it is `latest` or has the shape of a session id;
 * otherwise `--continue` means latest and the word is part of the task. `--continue=<v>` must be
 * one of those. Returns the other arguments, and the session (undefined without --continue).
 *
 * @example
 * takeContinueFlag(["--continue", "What next?"]); // { args: ["What next?"], session: "latest" }
 * takeContinueFlag(["Why?", "--continue", "20261202-091500-3fa9c1"]); // { args: ["Why?"], session: "20261202-091500-3fa9c1" }
 */
export function takeContinueFlag(args: string[]): { args: string[]; session: string | undefined } {
  const rest: string[] = [];
  let session: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (arg !== "--continue" && !arg.startsWith("--continue=")) {
      rest.push(arg);
      continue;
    }
    if (session !== undefined) throw new ConfigError("`--continue` is given twice: pass it once, with a session id or `latest` (the default).");
    if (arg.startsWith("--continue=")) {
      session = arg.slice("--continue=".length);
      if (session !== "latest" && !isSessionId(session)) {
        throw new ConfigError(`\`--continue\` takes a session id (such as 20261202-091500-3fa9c1) or \`latest\`, got "${session}". Run \`conclave sessions\` to see the ids.`);
      }
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && (next === "latest" || isSessionId(next))) {
      session = next;
      i++;
    } else session = "latest";
  }
  return { args: rest, session };
}
