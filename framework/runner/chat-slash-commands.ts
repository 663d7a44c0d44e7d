import { estimateTokens } from "../models/estimate-tokens.ts";
import type { Session, SessionUsage } from "../session/session-types.ts";
import { clip } from "./clip.ts";
import { sessionCost } from "./context-bar.ts";
import { formatTable } from "./format-table.ts";
import { formatUsd } from "./format-usd.ts";

/** The REPL's slash commands, as `/help` lists them. */
export const SLASH_COMMANDS: readonly (readonly [string, string])[] = [
  ["/help", "these commands"],
  ["/runs", "the session's runs: id, status, cost, task"],
  ["/cost", "what the session has spent: the conversation and the runs, tokens and USD"],
  ["/context", "what the orchestrator sees this turn: the sections of its prompt and the recent messages, with token estimates"],
  ["/exit", "save the session and leave (also Ctrl+D, or Ctrl+C at the prompt)"],
];

/** What a slash command answers: its text, and whether the REPL should end. */
export interface SlashAnswer {
  text: string;
  exit?: boolean;
}

/**
 * Answers a line of the REPL that starts with `/`: `/help`, `/runs`, `/cost`, `/context`,
 * `/exit`; an unknown command gets a line that lists them. Reads the session, changes nothing.
 *
 * @example
 * chatSlashCommand("/cost", session).text;
 * // "conversation  1200 in · 80 out tokens · 2 calls · $0.0004\nruns …"
 */
export function chatSlashCommand(line: string, session: Session): SlashAnswer {
  const [name] = line.trim().split(/\s+/);
  switch (name) {
    case "/help":
      return { text: formatTable([["command", "what it does"], ...SLASH_COMMANDS.map(([c, what]) => [c, what])]).slice(2).join("\n") + "\nAnything else is a message to the orchestrator; typed while a run works, it is a note for that run." };
    case "/runs":
      return { text: runsText(session) };
    case "/cost":
      return { text: costText(session) };
    case "/context":
      return { text: contextText(session) };
    case "/exit":
    case "/quit":
      return { text: "", exit: true };
    default:
      return { text: `Unknown command ${name}. The commands: ${SLASH_COMMANDS.map(([c]) => c).join(", ")}.` };
  }
}

function runsText(session: Session): string {
  const { runs } = session.record();
  if (!runs.length) return "No runs yet in this session.";
  const running = new Set(session.running());
  const rows = runs.map((r) => [r.run_id, running.has(r.run_id) ? "running" : r.status, formatUsd(r.cost_usd), clip(r.task, 60)]);
  return formatTable([["run", "status", "cost", "task"], ...rows], { right: [2] }).join("\n");
}

function costText(session: Session): string {
  const record = session.record();
  const line = (u: SessionUsage) => `${u.input_tokens} in · ${u.output_tokens} out tokens${u.cached_tokens ? ` (${u.cached_tokens} cached)` : ""} · ${u.calls} call${u.calls === 1 ? "" : "s"} · ${formatUsd(u.cost_usd)}`;
  const runs = record.runs.length;
  return [
    `conversation  ${line(record.usage.conversation)}`,
    `runs          ${line(record.usage.runs)} · ${runs} run${runs === 1 ? "" : "s"}`,
    `total         ${formatUsd(sessionCost(record))}`,
  ].join("\n");
}

// The system prompt's `# ` sections with their sizes, then the recent messages clipped: what the orchestrator reads now.
function contextText(session: Session): string {
  const { system, messages, tokens } = session.context();
  const sections: { title: string; text: string }[] = [];
  for (const line of system.split("\n")) {
    if (line.startsWith("# ") || sections.length === 0) sections.push({ title: line.startsWith("# ") ? line.slice(2).trim() : "(the orchestrator's role)", text: "" });
    sections.at(-1)!.text += `${line}\n`;
  }
  const out = [`The orchestrator sees about ${tokens} tokens: its system prompt (${sections.length} section${sections.length === 1 ? "" : "s"}) and ${messages.length} recent message${messages.length === 1 ? "" : "s"}.`];
  for (const s of sections) out.push(`  # ${s.title}  ~${estimateTokens(s.text)} tokens  ${clip(s.text.replace(/^# .*\n/, ""), 70)}`);
  const shown = messages.slice(-8);
  if (messages.length > shown.length) out.push(`  … ${messages.length - shown.length} earlier message${messages.length - shown.length === 1 ? "" : "s"}`);
  for (const m of shown) out.push(`  ${m.role.padEnd(9)} ~${estimateTokens(m.content)} tokens  ${clip(m.content, 70) || "(tool calls only)"}`);
  return out.join("\n");
}
