const loaded = new Set<string>();

/**
 * The `.env` files this process read keys from (absolute paths), so that the command sandbox can
 * hide each of them from agents. The runner records a file when it loads one.
 *
 * @example
 * rememberDotEnvFile("/home/me/app/.env");
 * dotEnvFiles(); // ["/home/me/app/.env"]
 */
export function dotEnvFiles(): string[] {
  return [...loaded];
}

/** Records a `.env` file this process loaded. */
export function rememberDotEnvFile(path: string): void {
  loaded.add(path);
}
