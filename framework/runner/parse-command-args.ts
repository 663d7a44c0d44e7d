import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../errors.ts";

/**
 * Parses the arguments of one `conclave` command with `node:util` parseArgs (strict, positionals
 * allowed, `--help`/`-h` added). A bad flag is a ConfigError that names the command's help.
 *
 * @example
 * const { values, positionals } = parseCommandArgs("runs", ["demo", "--limit", "5"], { limit: { type: "string" } });
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(command: string, args: string[], options: T) {
  // `--limit -1` means the value -1, so the value's own check can say what is wrong with it.
  const merged: string[] = [];
  for (const arg of args) {
    const prev = merged.at(-1);
    const takesValue = prev?.startsWith("--") && !prev.includes("=") && options[prev.slice(2)]?.type === "string";
    if (takesValue && /^-\d/.test(arg)) merged[merged.length - 1] = `${prev}=${arg}`;
    else merged.push(arg);
  }
  try {
    return parseArgs({
      args: merged,
      options: { ...options, help: { type: "boolean", short: "h" } } as T & { help: { type: "boolean"; short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new ConfigError(`${firstSentence(error)}. Run \`conclave ${command} --help\` for the options.`);
  }
}

/** A parseArgs error's first sentence: Node appends advice about `--` and `--opt=-XYZ` that does not fit our CLIs. */
export function firstSentence(error: unknown): string {
  return (error as Error).message.split("\n")[0]!.replace(/\. To specify.*$/, "").replace(/[.?]$/, "");
}
