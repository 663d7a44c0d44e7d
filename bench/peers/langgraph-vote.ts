import { FakeListChatModel } from "@langchain/core/utils/testing";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { Annotation, END, MemorySaver, Send, START, StateGraph } from "@langchain/langgraph";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

// The peer in `npm run bench` (vs_langgraph): Conclave's consensus built the way a LangGraph.js user
// would: a StateGraph whose `Send` fan-out asks every agent for an answer in parallel, then for a
// vote in parallel, then has the winner present: 2n + 1 model calls, each a fake chat model that
// sleeps the same latency as Conclave's scripted backend. State is checkpointed by a MemorySaver.

const LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const label = (i: number) => (i < 26 ? LABELS[i]! : `A${i}`);

const VoteState = Annotation.Root({
  task: Annotation<string>(),
  answers: Annotation<{ agent: number; content: string }[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  votes: Annotation<{ agent: number; choice: string }[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  presentation: Annotation<string>(),
  calls: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});
type State = typeof VoteState.State;
type AgentTurn = { agent: number; task: string; answers?: State["answers"] };

/**
 * Compiles the graph once for `agents` agents whose model calls take `latencyMs`; the function it
 * returns runs it once for a task (a thread of its own) and checks that 2n + 1 calls were made.
 *
 * @example
 * const vote = langgraphVote(3, 100);
 * await vote("Name three risks of moving our API to HTTP/3");
 */
export function langgraphVote(agents: number, latencyMs: number): (task: string) => Promise<{ presentation: string; calls: number }> {
  const fake = (reply: string) => {
    const model = new FakeListChatModel({ responses: [reply], sleep: latencyMs });
    return (messages: (SystemMessage | HumanMessage)[]) => model.invoke(messages);
  };
  const answerModels = Array.from({ length: agents }, (_, i) => fake(`agent${i + 1} answer: ${"lorem ipsum ".repeat(5 + (i % 3))}`));
  const voteModels = Array.from({ length: agents }, (_, i) => fake(label((i + 1) % agents)));
  const presentModels = Array.from({ length: agents }, (_, i) => fake(`agent${i + 1} presents the winning answer`));

  const graph = new StateGraph(VoteState)
    .addNode("answer", async (turn: AgentTurn) => {
      const reply = await answerModels[turn.agent]!([new SystemMessage("You are one of several agents. Answer the task."), new HumanMessage(turn.task)]);
      return { answers: [{ agent: turn.agent, content: String(reply.content) }], calls: 1 };
    })
    .addNode("collect", () => ({}))
    .addNode("vote", async (turn: AgentTurn) => {
      const listing = turn.answers!.map((a) => `${label(a.agent)}: ${a.content}`).join("\n");
      const reply = await voteModels[turn.agent]!([new SystemMessage("Vote for the best answer by its label."), new HumanMessage(`${turn.task}\n\n${listing}`)]);
      return { votes: [{ agent: turn.agent, choice: String(reply.content) }], calls: 1 };
    })
    .addNode("present", async (state: State) => {
      const tally = new Map<string, number>();
      for (const v of state.votes) tally.set(v.choice, (tally.get(v.choice) ?? 0) + 1);
      const winner = [...tally].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
      const agent = state.answers.find((a) => label(a.agent) === winner)!.agent;
      const reply = await presentModels[agent]!([new SystemMessage("Present your answer, which won the vote."), new HumanMessage(state.task)]);
      return { presentation: String(reply.content), calls: 1 };
    })
    .addConditionalEdges(START, (state: State) => Array.from({ length: agents }, (_, agent) => new Send("answer", { agent, task: state.task })))
    .addEdge("answer", "collect")
    .addConditionalEdges("collect", (state: State) => Array.from({ length: agents }, (_, agent) => new Send("vote", { agent, task: state.task, answers: state.answers })))
    .addEdge("vote", "present")
    .addEdge("present", END)
    .compile({ checkpointer: new MemorySaver() });

  let threads = 0;
  return async (task: string) => {
    const state = await graph.invoke({ task }, { configurable: { thread_id: `thread-${++threads}` } });
    if (state.calls !== 2 * agents + 1 || !state.presentation) throw new Error(`langgraph peer: expected ${2 * agents + 1} model calls and a presentation, received ${state.calls} calls`);
    return { presentation: state.presentation, calls: state.calls };
  };
}

// Run as a script: one run of the 3-agent graph at 100 ms (the one-shot figure).
// (realpath: node names the main module by its real path, whatever path started it.)
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const { presentation } = await langgraphVote(3, Number(process.env.LATENCY_MS ?? 100))("Name three risks of moving our API to HTTP/3");
  process.stdout.write(`${presentation}\n`);
}
