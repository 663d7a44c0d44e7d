/**
 * The first non-empty line of `text`, cut to at most `max` characters; an ellipsis marks a cut
 * or lines left out.
 *
 * @example
 * clip("Design a cache\nfor the API", 40); // "Design a cache …"
 * clip("a very long question", 10);        // "a very lo…"
 */
export function clip(text: string, max: number): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const at = lines.findIndex((l) => l !== "");
  if (at === -1) return "";
  const first = lines[at]!;
  if (first.length > max) return `${first.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
  return lines.slice(at + 1).some((l) => l !== "") ? `${first} …` : first;
}
