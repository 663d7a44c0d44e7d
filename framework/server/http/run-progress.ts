/** The `progress` wire shape (docs/architecture.md §11): what the run is doing, as a percentage. */
export interface ProgressMessage {
  type: "progress";
  run_id: string;
  /** The agent the event is about; null for a change of phase or round. */
  agent: string | null;
  /** The run's phase when it happened: planning, generation, voting, presentation, finalization. */
  status: string;
  progress: number;
}

/** What the progress of a run is reckoned from: its run_description.json (its agents and max rounds). */
export interface RunShape {
  agents?: unknown;
  options?: { settings?: { maxRounds?: unknown } };
}

/**
 * Follows a run's events.jsonl, line by line, and says its progress after each event that moves
 * it: a change of phase or round, and an agent's answer, vote, final presentation or failure.
 * The percentage is status.json's (runs/status-json.ts): planning 5, generation 10–40 as the
 * agents answer, voting 40–80 by round, presentation 85, finalization 95, finished 100.
 *
 * @example
 * const progress = createRunProgress(runId, description);
 * progress.feed({ type: "run.agent.voted", agentId: "beta" }); // { type: "progress", run_id, agent: "beta", status: "voting", progress: 40 }
 */
export function createRunProgress(runId: string, description: RunShape | undefined) {
  const agents = Array.isArray(description?.agents) ? description.agents.length : 0;
  const maxRounds = typeof description?.options?.settings?.maxRounds === "number" ? description.options.settings.maxRounds : 4;
  let phase = "planning";
  let round = 0;
  let finished = false;
  const answered = new Set<string>();
  const percent = (): number => {
    if (finished) return 100;
    switch (phase) {
      case "planning":
        return 5;
      case "generation":
        return Math.round(10 + (30 * Math.min(answered.size, agents || 1)) / (agents || 1));
      case "voting": {
        const rounds = Math.max(1, maxRounds - 1);
        return Math.round(40 + (40 * Math.max(0, Math.min(rounds, round - 2))) / rounds);
      }
      case "presentation":
        return 85;
      default:
        return 95;
    }
  };
  const message = (agent: string | null): ProgressMessage => ({ type: "progress", run_id: runId, agent, status: phase, progress: percent() });
  return {
    /** The progress after `event` (one parsed line of events.jsonl), or undefined when it does not move it. */
    feed(event: Record<string, unknown>): ProgressMessage | undefined {
      const agent = typeof event.agentId === "string" ? event.agentId : null;
      switch (event.type) {
        case "run.phase":
          if (typeof event.phase === "string") phase = event.phase;
          if (typeof event.round === "number") round = event.round;
          return message(null);
        case "run.round":
          if (typeof event.round === "number") round = event.round;
          return message(null);
        case "run.agent.answered":
          if (phase === "generation" && agent) answered.add(agent);
          return message(agent);
        case "run.agent.voted":
        case "run.agent.presented":
        case "run.agent.failed":
          return message(agent);
        case "run.finished":
          finished = true;
          phase = "finalization";
          return message(null);
        default:
          return undefined;
      }
    },
  };
}
