import type { RunResult } from "../runs/run-result.ts";
import type { StatusJson } from "../runs/status-json.ts";

export interface ProgressViewOptions {
  write: (text: string) => void;
  /** Redraw in place with ANSI cursor moves (a terminal); otherwise print plain lines on changes. */
  tty: boolean;
  color: boolean;
  /** Milliseconds between redraws on a terminal. */
  throttleMs?: number;
}

const COLORS: Record<string, string> = {
  working: "33",
  presenting: "33",
  answered: "32",
  voted: "32",
  presented: "32",
  failed: "31",
  timed_out: "31",
};

/**
 * The human view of a run: on a terminal, a block of lines (the run, then one per agent) redrawn
 * in place; elsewhere, one plain line per change, with no escape codes.
 *
 * @example
 * const view = createProgressView({ write: (s) => process.stderr.write(s), tty: true, color: !process.env.NO_COLOR });
 * await run({ task, onStatus: view.update });
 */
export function createProgressView(options: ProgressViewOptions) {
  const throttle = options.throttleMs ?? 80;
  const paint = (code: string | undefined, text: string) => (options.color && code ? `\x1b[${code}m${text}\x1b[0m` : text);
  let drawn = 0;
  let lastDraw = 0;
  let latest: StatusJson | undefined;
  let timer: NodeJS.Timeout | undefined;
  const seen = new Map<string, string>();

  const render = (s: StatusJson): string[] => {
    const c = s.coordination;
    const cost = s.usage.cost_usd === null ? "cost n/a" : `$${s.usage.cost_usd.toFixed(4)}`;
    const head = `conclave  ${c.phase}${c.round ? ` · round ${c.round}` : ""} · ${c.completion_percentage}% · ${s.meta.elapsed_seconds.toFixed(1)} s · ${s.usage.input_tokens + s.usage.output_tokens} tokens · ${cost}`;
    const width = Math.max(...Object.keys(s.agents).map((id) => id.length));
    const rows = Object.entries(s.agents).map(([id, a]) => {
      const what = a.vote ? `votes ${a.vote}` : a.latest_answer_label ? `answer ${a.latest_answer_label}` : "";
      const money = a.cost_usd === null ? "" : ` $${a.cost_usd.toFixed(4)}`;
      const err = a.error && (a.status === "failed" || a.status === "timed_out") ? `  ${a.error.slice(0, 80)}` : "";
      return `  ${id.padEnd(width)}  ${paint(COLORS[a.status], a.status.padEnd(10))} ${what.padEnd(18)} ${a.tokens.input + a.tokens.output} tokens${money}${err}`;
    });
    return [head, ...rows];
  };

  const draw = () => {
    timer = undefined;
    if (!latest) return;
    lastDraw = Date.now();
    const lines = render(latest);
    const up = drawn > 0 ? `\x1b[${drawn}F` : "";
    options.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    drawn = lines.length;
  };

  const plain = (s: StatusJson) => {
    const changes: string[] = [];
    const phaseKey = `${s.coordination.phase}:${s.coordination.round}`;
    if (seen.get("") !== phaseKey) {
      seen.set("", phaseKey);
      changes.push(`[${s.meta.elapsed_seconds.toFixed(1)}s] ${s.coordination.phase}${s.coordination.round ? ` (round ${s.coordination.round})` : ""}`);
    }
    for (const [id, a] of Object.entries(s.agents)) {
      const key = `${a.status}:${a.latest_answer_label}:${a.vote}`;
      if (seen.get(id) === key) continue;
      seen.set(id, key);
      if (a.status === "waiting" || a.status === "working") continue;
      const what = a.status === "voted" ? ` for ${a.vote}` : a.status === "answered" ? ` ${a.latest_answer_label}` : a.error ? `: ${a.error}` : "";
      changes.push(`  ${id} ${a.status}${what}`);
    }
    if (changes.length) options.write(`${changes.join("\n")}\n`);
  };

  return {
    update(status: StatusJson) {
      if (!options.tty) return plain(status);
      latest = status;
      const wait = throttle - (Date.now() - lastDraw);
      if (wait <= 0) draw();
      else timer ??= setTimeout(draw, wait);
    },
    finish(result: RunResult) {
      if (timer) clearTimeout(timer);
      if (options.tty) draw();
      const tail = result.winner ? `Winner: ${result.winner} (${result.winner_reason})` : `No winner: ${result.status_reason ?? result.status}`;
      options.write(`${paint(result.status === "completed" ? "32" : "31", `Run ${result.status}.`)} ${tail}\nRun directory: ${result.log_dir}\n`);
    },
  };
}
