import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Loads `.env` from the current directory into `env` when the file exists, with Node's own
 * loader; variables already set win. Returns the path loaded, or null.
 *
 * @example
 * loadDotEnv(); // ANTHROPIC_API_KEY from ./.env, unless the shell set it
 */
export function loadDotEnv(dir = process.cwd()): string | null {
  const path = resolve(dir, ".env");
  if (!existsSync(path)) return null;
  process.loadEnvFile(path);
  return path;
}
