/**
 * What watch mode says when it waits: how many files, and which (the first six, then how many more).
 *
 * @example
 * watchingLine(["CONTEXT.md", "filepaths.json", "workflows/feature.ts"]);
 * // "Watching 3 files: CONTEXT.md, filepaths.json, workflows/feature.ts. Edit one to run again; Ctrl+C to stop."
 */
export function watchingLine(names: string[]): string {
  const listed = names.length > 6 ? `${names.slice(0, 6).join(", ")} and ${names.length - 6} more` : names.join(", ");
  return `Watching ${names.length} file${names.length === 1 ? "" : "s"}: ${listed}. Edit one to run again; Ctrl+C to stop.`;
}
