import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { rememberDotEnvFile } from "../dot-env-files.ts";

/**
 * Loads `.env` from `dir` (default: the current directory) into the environment when the file
 * exists, with Node's own loader; variables already set win. The file is remembered, so the
 * command sandbox hides it from agents. Returns the path loaded, or null.
 *
 * @example
 * loadDotEnv(); // ANTHROPIC_API_KEY from ./.env, unless the shell set it
 */
export function loadDotEnv(dir = process.cwd()): string | null {
  const path = resolve(dir, ".env");
  if (!existsSync(path)) return null;
  process.loadEnvFile(path);
  rememberDotEnvFile(path);
  return path;
}
