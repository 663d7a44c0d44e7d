import { ConfigError } from "../errors.ts";

/**
 * `analyzeRun()` was given a directory that is not a run directory (or one it cannot read):
 * a usage error (exit 1). `path` is the directory; `missing` the contract files it lacks.
 *
 * @example
 * try { await analyzeRun("src") } catch (e) { if (e instanceof NotARunError) console.error(e.message) }
 */
export class NotARunError extends ConfigError {
  readonly path: string;
  readonly missing: string[];
  constructor(path: string, missing: string[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NotARunError";
    this.path = path;
    this.missing = missing;
  }
}
