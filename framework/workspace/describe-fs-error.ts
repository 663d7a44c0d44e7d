/**
 * Turns a file-system error into a message for the agent that names the path and says what to
 * do; null when `error` is not a file-system error (a bug, to be rethrown).
 *
 * @example
 * describeFsError(Object.assign(new Error("…"), { code: "ENOENT" }), "src/a.ts");
 * // 'No such file or directory: "src/a.ts". Use list_files to see what exists.'
 */
export function describeFsError(error: unknown, shown: string): string | null {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!(error instanceof Error) || typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return null;
  switch (code) {
    case "ENOENT":
      return `No such file or directory: "${shown}". Use list_files to see what exists.`;
    case "EISDIR":
      return `"${shown}" is a directory, not a file. Use list_files to see what it holds.`;
    case "ENOTDIR":
      return `"${shown}" goes through a file as if it were a directory. Use list_files to see what exists.`;
    case "EACCES":
    case "EPERM":
      return `Permission denied for "${shown}".`;
    case "ENOTEMPTY":
    case "EEXIST":
      return `Cannot create "${shown}": a file stands where a directory is needed, or the other way round. Use list_files to see what exists.`;
    case "ENAMETOOLONG":
      return `The path "${shown}" is too long.`;
    case "ENOSPC":
      return `No space left on the device while writing "${shown}".`;
    default:
      return `Could not access "${shown}": ${error.message} (${code}).`;
  }
}
