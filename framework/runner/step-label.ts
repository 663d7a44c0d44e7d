/** The longest task text a step label shows. */
const MAX = 60;
/** How much of the task's end a cut label keeps: where steps made in a loop differ ("…: step 2"?). */
const TAIL = 24;

/**
 * A workflow step's label in the progress output and the summary table: its number, its kind and
 * the first line of its task. A long task is cut in the middle, so labels of steps that differ
 * only at the end (a loop's `Does this satisfy "…: step 1"?`, `…: step 2"?`) stay distinct.
 *
 * @example
 * stepLabel(3, "verify", 'Does this satisfy "Add WebSocket support to the API server: step 1"?');
 * // '3. verify: Does this satisfy "Add WebSo…the API server: step 1"?'
 */
export function stepLabel(index: number, kind: string, task: string): string {
  const first = task.trim().split("\n")[0]!;
  const text = first.length > MAX ? `${first.slice(0, MAX - TAIL - 1).trimEnd()}…${first.slice(-TAIL).trimStart()}` : first;
  return `${index}. ${kind}: ${text}`;
}
