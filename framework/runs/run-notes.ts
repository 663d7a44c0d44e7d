import { ConfigError } from "../errors.ts";

/**
 * Notes from the person to a running run (`tell_run`): every agent of the run receives each note
 * once, at the start of its next turn, as a `# A note from the person` block of its prompt. Pass
 * it as run()'s `notes` option; a note told before the run starts reaches every first turn (so
 * the execute run after a plan, `execute_after_planning`, gets the notes told to the plan too).
 *
 * @example
 * const notes = createRunNotes();
 * const result = run({ task: "Add WebSocket support", notes });
 * notes.tell("Use Socket.IO, not raw WebSockets.");
 * await result;
 */
export interface RunNotes {
  /** Adds a note; the agents get it at their next turn. Throws ConfigError on an empty note. */
  tell(text: string): void;
  /** Every note told so far, oldest first. */
  told(): readonly string[];
  /** Calls `listener` with each note told from now on; returns the unsubscribe. */
  onTell(listener: (text: string) => void): () => void;
}

/** A fresh RunNotes, with no note told. */
export function createRunNotes(): RunNotes {
  const notes: string[] = [];
  const listeners = new Set<(text: string) => void>();
  return {
    tell(text) {
      if (typeof text !== "string" || text.trim() === "") {
        throw new ConfigError(`a note to a run must be non-empty text; received ${JSON.stringify(text)}. Say what the agents should know.`);
      }
      notes.push(text.trim());
      for (const listener of [...listeners]) listener(text.trim());
    },
    told: () => [...notes],
    onTell(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A note as a run hands it to an agent: its number (1 for the first told) and its text. */
export interface DeliveredNote {
  n: number;
  text: string;
}

/**
 * The notes one run hands its agents: for each agent, those told since its previous turn (all
 * told so far at its first), each once.
 *
 * @example
 * const take = noteReader(notes);
 * take("alpha"); // [{ n: 1, text: "Use Socket.IO." }] — then [] until another note is told
 */
export function noteReader(notes: RunNotes): (agentId: string) => DeliveredNote[] {
  const seen = new Map<string, number>();
  return (agentId) => {
    const all = notes.told();
    const from = seen.get(agentId) ?? 0;
    seen.set(agentId, all.length);
    return all.slice(from).map((text, i) => ({ n: from + i + 1, text }));
  };
}
