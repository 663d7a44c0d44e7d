import { basename } from "node:path";

/** Which programs `run_command` may start: by name; `deny` wins over `allow`. A choice of programs, not a boundary: the sandbox is that. */
export interface CommandPolicy {
  allow: string[];
  deny: string[];
}

/**
 * Decides whether `run_command` may start `program` (the first token of the command). Deny is
 * checked first and matches the name or its basename, so a `rm` deny also stops `/bin/rm` and
 * `./rm`. Allow then matches a bare name (`node`) or exactly the path written in the allowlist:
 * an allowed `node` does not let an agent run a `./node` it wrote itself.
 * Returns null when allowed, otherwise the message for the agent.
 *
 * @example
 * checkCommand({ allow: ["node", "rm"], deny: ["rm"] }, "/bin/rm");
 * // 'Command "/bin/rm" is denied by the command policy. Allowed commands: node.'
 */
export function checkCommand(policy: CommandPolicy, program: string): string | null {
  const name = basename(program);
  const allowed = allowedCommands(policy);
  const listed = allowed.length > 0 ? `Allowed commands: ${allowed.join(", ")}.` : "No command is allowed in this run.";
  if (policy.deny.includes(program) || policy.deny.includes(name)) {
    return `Command "${program}" is denied by the command policy. ${listed}`;
  }
  if (policy.allow.includes(program)) return null;
  return `Command "${program}" is not in the allowlist. ${listed} Call one of them by name.`;
}

/**
 * The allowlist without what the denylist takes away: what an agent may actually run.
 *
 * @example
 * allowedCommands({ allow: ["node", "rm"], deny: ["rm"] }); // ["node"]
 */
export function allowedCommands(policy: CommandPolicy): string[] {
  return policy.allow.filter((entry) => !policy.deny.includes(entry) && !policy.deny.includes(basename(entry)));
}
