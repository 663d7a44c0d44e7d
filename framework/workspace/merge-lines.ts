/**
 * A line-by-line three-way merge of two texts that both changed from `base`: the merged text
 * when their changes touch different lines, or null when they overlap (or touch adjacent lines,
 * as git counts them). Lines keep their endings, so a final line without a newline is merged
 * exactly. The merge itself is node-diff3's (Khanna–Myers diff3, as in GNU diff3 and git).
 *
 * @example
 * await mergeLines("a\nb\nc\nd\n", "A\nb\nc\nd\n", "a\nb\nc\nD\n"); // "A\nb\nc\nD\n"
 * await mergeLines("a\nb\n", "A\nb\n", "a2\nb\n"); // null: both changed line 1
 */
export async function mergeLines(base: string, ours: string, theirs: string): Promise<string | null> {
  const { diff3Merge } = await import("node-diff3");
  const regions = diff3Merge(lines(ours), lines(base), lines(theirs), { excludeFalseConflicts: true });
  let merged = "";
  for (const region of regions) {
    if (!region.ok) return null;
    merged += region.ok.join("");
  }
  return merged;
}

// A text's lines, each with its line ending; none for an empty text.
function lines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}
