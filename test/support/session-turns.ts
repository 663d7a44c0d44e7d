import type { ConfigInput } from "../../framework/config/config-schema.ts";
import type { Session, SessionEvent } from "../../framework/session/session-types.ts";
import { scripted } from "./scripted-run.ts";

type Script = NonNullable<NonNullable<ConfigInput["agents"][number]["backend"]>["script"]>;

/** A config for session tests: three scripted agents, a scripted orchestrator playing `orchestrator`, no approval. */
export function chatConfig(orchestrator: Script, extra: Partial<ConfigInput> = {}): ConfigInput {
  return {
    agents: [scripted("alpha"), scripted("beta"), scripted("gamma")],
    orchestrator: { backend: { type: "scripted", script: orchestrator } },
    interactive: { require_approval: "never" },
    ...extra,
  };
}

/** Plays one person turn and returns its events; `on` sees each as it comes (to answer an approval, or cancel a run). */
export async function playTurn(session: Session, text: string, on?: (e: SessionEvent) => void): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  for await (const e of session.send(text)) {
    events.push(e);
    on?.(e);
  }
  return events;
}
