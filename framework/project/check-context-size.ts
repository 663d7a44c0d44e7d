import { ConfigError } from "../errors.ts";
import { formatBytes } from "./format-bytes.ts";

/** The context cap when the config sets none: `context.max_mb: 1`. */
export const DEFAULT_CONTEXT_MAX_BYTES = 1024 * 1024;

/** One part of a run's context: a file, or the run's own `context` option. */
export interface ContextPart {
  /** How the part is named in the message, e.g. "`CONTEXT.md`". */
  name: string;
  /** What it puts into the context, in bytes. */
  bytes: number;
  /** Said after its size, e.g. "on disk; 20 KB of it in the context". */
  note?: string;
}

/**
 * Throws a ConfigError, before any model is called, when the parts of a run's context add up
 * to more than `maxBytes`; the message names the biggest parts with their sizes and says what to do.
 *
 * @example
 * checkContextSize([{ name: "`CONTEXT.md`", bytes: 52_428_800 }], 1024 * 1024);
 * // ConfigError: the run's context is 50 MB, more than the 1 MB cap (`context.max_mb` in the config). …
 */
export function checkContextSize(parts: ContextPart[], maxBytes: number): void {
  const total = parts.reduce((sum, part) => sum + part.bytes, 0);
  if (total <= maxBytes) return;
  const biggest = [...parts]
    .filter((part) => part.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((part) => `${part.name} ${formatBytes(part.bytes)}${part.note ? ` (${part.note})` : ""}`);
  throw new ConfigError(
    `the run's context is ${formatBytes(total)}, more than the ${formatBytes(maxBytes)} cap (\`context.max_mb\` in the config); the biggest parts: ${biggest.join(", ")}. ` +
      "Shorten CONTEXT.md to goals, constraints and state (files listed in filepaths.json are cut to 20 KB each), or raise `context.max_mb`. Nothing was sent to a model.",
  );
}
