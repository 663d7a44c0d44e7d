import { formatWithOptions } from "node:util";
import { redactSecrets } from "./redact-secrets.ts";

/** The logger both SDKs accept as their `logger` option (OPENAI_LOG / ANTHROPIC_LOG decide the level). */
export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/**
 * A logger for an SDK client that removes `secrets` (the key in use, the credentials in its
 * `base_url`) and anything shaped like a key from every line before writing it, one line per
 * call, prefixed with the level, to `write` (default stderr). With `OPENAI_LOG=debug` the SDK
 * logs response bodies, and a 401 that echoes the key would otherwise print it.
 *
 * @example
 * const sdk = new OpenAI({ apiKey, logger: createScrubbingLogger("openai", [apiKey]) });
 */
export function createScrubbingLogger(
  name: string,
  secrets: readonly (string | undefined)[],
  write: (line: string) => void = (line) => void process.stderr.write(line),
): SdkLogger {
  const log = (level: string) => (message: string, ...rest: unknown[]) => {
    const text = formatWithOptions({ depth: 8, colors: false, breakLength: Number.POSITIVE_INFINITY }, message, ...rest);
    write(`${name} ${level}: ${redactSecrets(text, secrets)}\n`);
  };
  return { error: log("error"), warn: log("warn"), info: log("info"), debug: log("debug") };
}
