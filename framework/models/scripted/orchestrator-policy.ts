import type { CompletionRequest } from "../model.ts";
import {
  digestRuns,
  firstLine,
  isRecord,
  launchesOf,
  launchOutcome,
  parseJson,
  planProgress,
  readConversation,
  VERIFY_TASK,
  type Exchange,
  type LaunchOutcome,
  type PlanProgress,
  type ToolStep,
} from "./read-conversation.ts";

/*
 * The offline orchestrator: what the scripted backend does as `conclave chat`'s orchestrator once
 * its `script:` has run out (the request offers `launch_run`). It reads only the request (the
 * system text's `# Project…` and `# Runs of this session` sections, the messages, and this turn's
 * tool results) and gives one tool call or the text reply, by the first rule that fits the
 * person's last message:
 *
 * - `(resumed)…` (the engine's recap turn): "Last time we finished steps 1–N; step N+1 remains: …"
 *   from the plan and the runs that executed and verified its steps; else what was last done.
 * - "why was that (or it, the run) slow", "why did it take so long", "went in circles": analyze_run
 *   on the last run, then its findings (each finding's summary) and the recommended changes. A
 *   question about something else ("why is the login slow?") is a task, as below.
 * - "rerun (it) with those settings", "apply the recommendations": launch_run with the analyzed
 *   run's arguments (its task) and the `launch_run` overrides of the last analyze_run result
 *   (coordination_overrides merged over its own, agents); with no analysis yet in the
 *   conversation, analyze_run on the last run first. Changes launch_run cannot make are named.
 * - "actually", "instead", "rather": launch the plan's remaining steps (`Carry out the remaining
 *   steps of the plan: …`) with `Constraint from the person: <their words>` as context.
 * - "continue", "next step", "go on": execute the next step not verified, then verify it.
 * - A question about state (ends with "?" and starts with what/how/where/which/who/is/are/do/
 *   does/did/can, or mentions "status"): run_status, read_file CONTEXT.md, then answer from them.
 * - "quick", "single agent", "just one agent": one single-agent run, no refinement: the
 *   verification of a step a run executed and nothing verified yet, else a check of the last
 *   run's subject.
 * - "independent(ly)": a multi run without refinement. "debate", "discuss it": read_run the
 *   previous run, then a multi run with refinement and its answers as context.
 * - "retry", "try again": the last launch that failed or ended early, launched again.
 * - A greeting or thanks alone ("hi", "thanks", "ok"): a short reply, no run.
 * - Anything else is a task: plan it (planning_mode), execute step 1 (writing deliverables/ when
 *   the project shows a Deliverables section), verify it with a single agent, and reply with the
 *   plan. An `Error:` result or a run that did not complete ends the turn with what happened.
 *   At most MAX_CALLS tool calls a turn, then a text reply.
 */

/** What the policy does next: call one tool, or reply with text. */
export type PolicyAction = { tool: string; args: Record<string, unknown> } | { text: string };

/** The most tool calls the policy makes in one person turn before it replies in text. */
export const MAX_CALLS = 8;

/** The prefix of the engine's recap request on resume. */
export const RECAP_PREFIX = "(resumed)";

const GREETING = 'Tell me what to work on, or ask where things stand. Say "continue" to go on with the plan.';

// About a run ("why was that slow", "why did it take so long", "went in circles"), not a task ("why is the login slow?").
const WHY_SLOW = /\bwhy (was|were|is) (that|it|this|the( last)? run|they)( so)? (slow|costly|expensive)\b|\bwhy did (it|that|this|the( last)? run|they) take (so )?long\b|\b(went|go|going|ran|run|running) (round |around )?in circles\b/;
const APPLY_RECOMMENDATIONS = /\b(re-?run|run (it|that|this) again)\b.*\b((those|these|its|the recommended|the suggested|recommended|suggested) (settings|changes|overrides)|recommendations?)\b|\bapply (the |those |these |its )?(recommendations?|recommended (settings|changes)|suggested changes)\b/;

const QUESTION_START = /^(what|how|where|which|who|is|are|do|does|did|can|status)\b/i;

/**
 * The offline orchestrator's next move for `request` (see the rules above).
 *
 * @example
 * orchestratorPolicy({ system, messages: [{ role: "user", content: "What's the current status?" }], tools })
 * // { tool: "run_status", args: {} }
 */
export function orchestratorPolicy(request: CompletionRequest): PolicyAction {
  const exchanges = readConversation(request.messages);
  const turn = exchanges.at(-1) ?? { person: "", steps: [] };
  const history = { system: request.system, exchanges, launches: launchesOf(exchanges.slice(0, -1)), turn };
  if (turn.steps.length >= MAX_CALLS) return { text: `I stop here: that was ${MAX_CALLS} tool calls this turn. ${lastResultLine(turn.steps.at(-1)!)}` };
  const text = turn.person.trim();
  const words = text.toLowerCase();
  if (words.startsWith(RECAP_PREFIX)) return { text: recap(history) };
  if (APPLY_RECOMMENDATIONS.test(words)) return rerunWithRecommendations(history);
  if (WHY_SLOW.test(words)) return explainRun(history);
  if (/\b(actually|instead|rather)\b/.test(words)) return relaunchRemaining(history, text);
  if (/^(continue|go on|next step)\b/.test(words)) return continuePlan(history);
  if ((/\?\s*$/.test(words) && QUESTION_START.test(words)) || /\bstatus\b/.test(words)) return answerQuestion(history);
  if (/\bquick\b|\bsingle[- ]agent\b|\bjust one agent\b/.test(words)) return quickCheck(history, text);
  if (/\bindependent(ly)?\b/.test(words)) return independentOpinions(history, text);
  if (/\bdebate\b|\bdiscuss (it|them|this)\b/.test(words)) return debate(history, text);
  if (/\b(continue|next step|go on)\b/.test(words)) return continuePlan(history);
  if (/^(please )?(retry|try again)\b/.test(words)) return retry(history);
  if (/^(hi|hello|hey|thanks|thank you|ok|okay|great|good)\b[\s!.,]*$/.test(words)) return { text: GREETING };
  return planAndStart(history, text);
}

interface History {
  system: string;
  exchanges: Exchange[];
  /** The launches of earlier turns (this turn's are in `turn`). */
  launches: LaunchOutcome[];
  turn: Exchange;
}

// Plan, execute step 1, verify it, then reply with the plan.
function planAndStart(h: History, text: string): PolicyAction {
  const [plan, execute, verify] = h.turn.steps;
  if (!plan) return launch({ task: text, agent_mode: "multi", planning_mode: true });
  const planned = launchOutcome(plan);
  const stop = stopLine(planned, "planning run");
  if (stop) return { text: stop };
  const progress = planProgress([planned]);
  if (!progress) return { text: `The planning run finished, but its answer has no numbered steps: ${firstLine(planned.run?.answer ?? "(empty)")} Tell me which part to start with.` };
  if (!execute) return launch(stepArgs(h, progress, 1));
  const executed = launchOutcome(execute);
  const stopped = stopLine(executed, "run for step 1");
  if (stopped) return { text: `${planText(progress)}\n${stopped}` };
  if (!verify) return launch(verifyArgs(h, progress, 1, executed));
  const verified = launchOutcome(verify);
  return { text: `${planText(progress)}\n${stepDone(progress, 1, verified)}` };
}

// The next step that is not verified: executed (unless a run already did), then verified.
function continuePlan(h: History): PolicyAction {
  const progress = planProgress(h.launches);
  if (!progress) return { text: "There is no plan to continue yet: tell me what to work on, and the team will plan it first." };
  const k = progress.steps.findIndex((_, i) => !progress.verified.has(i + 1)) + 1;
  if (k === 0) return { text: `All ${progress.steps.length} steps of the plan are done and verified.` };
  const steps = [...h.turn.steps];
  if (!progress.executed.has(k)) {
    const execute = steps.shift();
    if (!execute) return launch(stepArgs(h, progress, k));
    const stop = stopLine(launchOutcome(execute), `run for step ${k}`);
    if (stop) return { text: stop };
    const verify = steps.shift();
    if (!verify) return launch(verifyArgs(h, progress, k, launchOutcome(execute)));
    return { text: stepDone(progress, k, launchOutcome(verify)) };
  }
  const verify = steps.shift();
  if (!verify) return launch(verifyArgs(h, progress, k, lastLaunch(h.launches, (l) => l.run?.status === "completed" && !VERIFY_TASK.test(l.task))));
  return { text: stepDone(progress, k, launchOutcome(verify)) };
}

// A change of direction: the remaining steps (or the last task) again, with the person's words as a constraint.
function relaunchRemaining(h: History, text: string): PolicyAction {
  const progress = planProgress(h.launches);
  const remaining = progress ? progress.steps.map((title, i) => ({ n: i + 1, title })).filter((s) => !progress.verified.has(s.n)) : [];
  const [step] = h.turn.steps;
  if (!step) {
    const context = `Constraint from the person: ${text}`;
    if (remaining.length) {
      return launch({ task: `Carry out the remaining steps of the plan:\n${remaining.map((s) => `${s.n}. ${s.title}`).join("\n")}`, context, ...writes(h) });
    }
    return launch({ task: lastSubject(h) ?? text, context, ...writes(h) });
  }
  const outcome = launchOutcome(step);
  const stop = stopLine(outcome, "relaunched run");
  if (stop) return { text: stop };
  const which = remaining.length ? `the remaining work (${range(remaining.map((s) => s.n))})` : "the last task";
  return { text: `I relaunched ${which} with your constraint ("${firstLine(text, 80)}"): ${runLine(outcome)}${remaining.length ? ` Say "continue" to verify step ${remaining[0]!.n}.` : ""}` };
}

// run_status, then CONTEXT.md, then an answer from the two.
function answerQuestion(h: History): PolicyAction {
  const [status, file] = h.turn.steps;
  if (!status) return { tool: "run_status", args: {} };
  if (!file) return { tool: "read_file", args: { path: "CONTEXT.md" } };
  const parsed = parseJson(status.result ?? "");
  const runs = isRecord(parsed) && Array.isArray(parsed.runs) ? (parsed.runs as { task?: string; status?: string }[]) : [];
  const context = file.result ?? "";
  const state = context.startsWith("Error:") ? "The project has no CONTEXT.md to say where things stand." : `CONTEXT.md says: ${contextState(context)}`;
  const last = runs.at(-1);
  const runsLine = last
    ? `This session has ${runs.length} run${runs.length === 1 ? "" : "s"}; the last, "${firstLine(last.task ?? "", 80)}", is ${last.status ?? "unknown"}.`
    : "This session has no runs yet.";
  return { text: `${state}\n${runsLine}` };
}

// One agent, no refinement: the verification of a step a run executed but nothing verified yet, else a check of the last run's subject.
function quickCheck(h: History, text: string): PolicyAction {
  const [step] = h.turn.steps;
  const progress = planProgress(h.launches);
  const k = progress ? [...progress.executed].sort((a, b) => a - b).find((n) => !progress.verified.has(n)) : undefined;
  if (progress && k !== undefined) {
    if (!step) return launch(verifyArgs(h, progress, k, lastLaunch(h.launches, (l) => l.run?.status === "completed" && !VERIFY_TASK.test(l.task))));
    return { text: stepDone(progress, k, launchOutcome(step)).replace(/^(I started with step 1|Step \d+) \(/, `A single agent checked step ${k} (`) };
  }
  if (!step) {
    const subject = ownSubject(text) ? undefined : lastSubject(h);
    const answer = lastLaunch(h.launches, (l) => !!l.run?.answer)?.run?.answer;
    const context = [`The person asked: "${text}"`, answer ? `The last run's answer:\n\n${answer}` : ""].filter(Boolean).join("\n\n");
    return launch({ task: subject ? `Check this work: ${oneLine(subject)}` : text, context, agent_mode: "single", refinement: false });
  }
  const outcome = launchOutcome(step);
  return { text: stopLine(outcome, "single-agent run") ?? `A single agent checked it: ${runLine(outcome)}` };
}

// Every agent answers on its own: no refinement.
function independentOpinions(h: History, text: string): PolicyAction {
  const [step] = h.turn.steps;
  if (!step) {
    const subject = ownSubject(text) ? undefined : lastSubject(h);
    return launch({ task: `Give your own, independent opinion on: ${subject ? oneLine(subject) : text}`, agent_mode: "multi", refinement: false });
  }
  const outcome = launchOutcome(step);
  return { text: stopLine(outcome, "run") ?? `The agents answered independently (no refinement): ${runLine(outcome)} Say "debate it" to have them discuss their answers.` };
}

// The previous run's answers as context for a run with refinement.
function debate(h: History, text: string): PolicyAction {
  const previous = lastLaunch(h.launches, (l) => l.run !== undefined)?.run ?? lastDigestRun(h);
  const [read, step] = h.turn.steps;
  const subject = ownSubject(text) ? text : (lastSubject(h) ?? text);
  if (!read && previous) return { tool: "read_run", args: { run_id: previous.run_id } };
  const debated = previous ? step : read;
  if (!debated) {
    const parsed = parseJson(read?.result ?? "");
    const answers = isRecord(parsed) && Array.isArray(parsed.answers) ? (parsed.answers as { label?: string; agent?: string; content?: string }[]) : [];
    const context = answers.length
      ? `The answers of the previous run (${previous!.run_id}):\n\n${answers.map((a) => `## Answer ${a.label ?? "?"} (${a.agent ?? "?"})\n\n${a.content ?? ""}`).join("\n\n")}`
      : `The previous run's answer:\n\n${isRecord(parsed) && typeof parsed.answer === "string" ? parsed.answer : "(none)"}`;
    return launch({ task: `Debate and settle: ${oneLine(subject)}`, agent_mode: "multi", refinement: true, ...(previous && { context }) });
  }
  const outcome = launchOutcome(debated);
  return { text: stopLine(outcome, "debate") ?? `The agents debated the earlier answers: ${runLine(outcome)}` };
}

// The last launch that failed or ended early, with the same arguments.
function retry(h: History): PolicyAction {
  const failed = lastLaunch(h.launches, (l) => l.error !== undefined || l.run?.status !== "completed");
  const [step] = h.turn.steps;
  if (!failed) return { text: "Nothing failed, so there is nothing to retry. Tell me what to do next." };
  if (!step) return launch(failed.args);
  const outcome = launchOutcome(step);
  return { text: stopLine(outcome, "retried run") ?? `I ran it again: ${runLine(outcome)}` };
}

// What analyze_run returned (compactAnalysis()'s shape), as far as the policy reads it.
interface AnalysisResult {
  run_id: string;
  task?: string;
  rounds?: number;
  findings: { kind: string; summary: string }[];
  recommendations: { change: string }[];
  launch_run?: { coordination_overrides?: Record<string, unknown>; agents?: string[] };
  needs_write_config?: string[];
}

// analyze_run on the last run, then its findings and the changes it recommends.
function explainRun(h: History): PolicyAction {
  const [analysis] = h.turn.steps;
  if (!analysis) return analyzeLast(h);
  const read = analysisOf(analysis);
  if (typeof read === "string") return { text: `I could not analyze the run: ${read}` };
  return { text: analysisText(read) };
}

// The analyzed run again with the recommended launch_run arguments.
function rerunWithRecommendations(h: History): PolicyAction {
  const earlier = h.exchanges.slice(0, -1).flatMap((e) => e.steps).filter((s) => s.name === "analyze_run" && s.result !== undefined).map(analysisOf).findLast((a) => typeof a !== "string");
  const steps = [...h.turn.steps];
  let read: AnalysisResult | string | undefined = earlier;
  if (!read) {
    const analysis = steps.shift();
    if (!analysis) return analyzeLast(h);
    read = analysisOf(analysis);
  }
  if (typeof read === "string") return { text: `I could not analyze the run: ${read}` };
  const overrides = read.launch_run;
  const needs = read.needs_write_config?.length ? ` Not possible in a launch: ${read.needs_write_config.join(", ")}; \`conclave analyze ${read.run_id} --write-config <file>\` writes them into a config.` : "";
  if (!overrides?.coordination_overrides && !overrides?.agents) return { text: `The analysis of ${read.run_id} recommends nothing a launch can change, so I did not rerun it.${needs}` };
  const original = [...h.launches, ...launchesOf([h.turn])].findLast((l) => l.run?.run_id === read.run_id);
  const [rerun] = steps;
  if (!rerun) {
    const args: Record<string, unknown> = original ? { ...original.args } : { task: read.task ?? lastSubject(h) ?? "" };
    if (overrides.coordination_overrides) args.coordination_overrides = mergeOverrides(isRecord(args.coordination_overrides) ? args.coordination_overrides : {}, overrides.coordination_overrides);
    if (overrides.agents) args.agents = overrides.agents;
    return launch(args);
  }
  const outcome = launchOutcome(rerun);
  const stop = stopLine(outcome, "rerun");
  if (stop) return { text: stop };
  const before = original?.run?.elapsed_seconds;
  const after = outcome.run?.elapsed_seconds;
  const time = typeof before === "number" && typeof after === "number" ? ` It took ${after} s instead of ${before} s.` : "";
  return { text: `I reran ${read.run_id}'s task with ${read.recommendations.map((r) => r.change).join("; ")}: ${runLine(outcome)}${time}${needs}` };
}

function analyzeLast(h: History): PolicyAction {
  const last = lastLaunch(h.launches, (l) => l.run !== undefined)?.run ?? lastDigestRun(h);
  return { tool: "analyze_run", args: last ? { run_id: last.run_id } : {} };
}

function analysisOf(step: ToolStep): AnalysisResult | string {
  const parsed = parseJson(step.result ?? "");
  if (isRecord(parsed) && typeof parsed.run_id === "string" && Array.isArray(parsed.findings)) return parsed as unknown as AnalysisResult;
  return (step.result ?? "(no result)").replace(/^Error:\s*/, "");
}

function analysisText(a: AnalysisResult): string {
  const rounds = typeof a.rounds === "number" ? ` (${a.rounds} round${a.rounds === 1 ? "" : "s"})` : "";
  if (a.findings.length === 0) return `Run ${a.run_id}${rounds} shows no waste: no circling, split votes, slow or costly agent, retries or deadlines. Nothing to change.`;
  const found = a.findings.map((f) => `${f.kind.replace(/_/g, " ")}: ${f.summary}`).join("\n");
  const changes = a.recommendations.length ? `\nI recommend ${a.recommendations.map((r) => r.change).join("; ")}. Say "rerun with those settings" to run it again with them.` : "";
  return `Run ${a.run_id}${rounds}:\n${found}${changes}`;
}

// Overrides over overrides: timeouts and retry merged key by key.
function mergeOverrides(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isRecord(v) && isRecord(base[k]) ? { ...base[k], ...v } : v;
  return out;
}

// Where things stand, from the plan's progress, else the last run.
function recap(h: History): string {
  const launches = launchesOf(h.exchanges);
  const progress = planProgress(launches);
  if (progress) {
    const n = progress.steps.length;
    let finished = 0;
    while (finished < n && progress.verified.has(finished + 1) && progress.executed.has(finished + 1)) finished++;
    if (finished === n) return `Last time we finished all ${n} steps of the plan.`;
    const next = `step ${finished + 1} remains: ${progress.steps[finished]}.`;
    if (finished === 0) return `Last time the team planned ${n} steps; none is finished yet, and ${next}`;
    return `Last time we finished ${finished === 1 ? "step 1" : `steps 1–${finished}`}; ${next}`;
  }
  const last = launches.at(-1);
  const listed = lastDigestRun(h);
  if (last) return `Last time: "${firstLine(last.task)}" (${last.run?.status ?? "not started"}). Nothing else is pending.`;
  if (listed) return `Last time: "${firstLine(listed.task)}" (${listed.status}). Nothing else is pending.`;
  const said = h.exchanges.slice(0, -1).findLast((e) => e.person && !e.person.startsWith(RECAP_PREFIX));
  return said ? `Last time we talked about: ${firstLine(said.person)}. No run was launched.` : "Nothing was done in this session yet.";
}

function launch(args: Record<string, unknown>): PolicyAction {
  return { tool: "launch_run", args };
}

// A step's execute run: its task names the step, the plan goes in the context, deliverables/ is written when the project has one.
function stepArgs(h: History, progress: PlanProgress, k: number): Record<string, unknown> {
  const n = progress.steps.length;
  return { task: `Step ${k} of ${n}: ${progress.steps[k - 1]}`, context: `The plan:\n${numbered(progress.steps)}\n\nDo step ${k} only.`, ...writes(h) };
}

function verifyArgs(h: History, progress: PlanProgress, k: number, executed: LaunchOutcome | undefined): Record<string, unknown> {
  const run = executed?.run;
  const files = run?.files_changed?.length ? `\n\nFiles changed: ${run.files_changed.join(", ")}` : "";
  return {
    task: `Verify that step ${k} "${progress.steps[k - 1]}" is done: check the project against it and say what is missing, if anything.`,
    agent_mode: "single",
    refinement: false,
    ...(run && { context: `What the run for step ${k} (${run.run_id}) answered:\n\n${(run.answer ?? "(no answer)").slice(0, 1500)}${files}` }),
    ...(hasDeliverables(h) && { context_paths: [{ path: "deliverables", permission: "read" }] }),
  };
}

function writes(h: History): Record<string, unknown> {
  return hasDeliverables(h) ? { context_paths: [{ path: "deliverables", permission: "write" }] } : {};
}

// The project part lists deliverables (a `Deliverables` heading): runs may write there.
function hasDeliverables(h: History): boolean {
  return /^#{1,6}\s*Deliverables\b/im.test(h.system);
}

// What ended the turn early: a launch refused, or a run that did not complete.
function stopLine(outcome: LaunchOutcome, what: string): string | undefined {
  if (outcome.error !== undefined) {
    if (/cancelled .*at approval/i.test(outcome.error)) return `You cancelled the ${what} at approval, so nothing ran. What would you like instead?`;
    return `The ${what} did not start: ${outcome.error}`;
  }
  const run = outcome.run!;
  if (run.status === "completed") return undefined;
  const partial = run.answer ? ` What it had: ${firstLine(run.answer)}` : "";
  return `The ${what} (${run.run_id}) ended ${run.status}${run.status_reason ? ` (${run.status_reason})` : ""}.${partial} Say "retry" to run it again, or tell me what to change.`;
}

function runLine(outcome: LaunchOutcome): string {
  const run = outcome.run!;
  const winner = run.winner ? `winner ${run.winner} (${run.winner_reason ?? "chosen"})` : "no winner";
  return `${run.status}, ${winner}. ${run.answer ? firstLine(run.answer, 160) : "(no answer)"}`;
}

function stepDone(progress: PlanProgress, k: number, verified: LaunchOutcome): string {
  const title = progress.steps[k - 1]!;
  const stop = stopLine(verified, `verification of step ${k}`);
  const lead = k === 1 ? `I started with step 1 (${title})` : `Step ${k} (${title})`;
  if (stop) return `${lead}: done, but not verified. ${stop}`;
  const next = k < progress.steps.length ? ` Say "continue" for step ${k + 1}.` : ` That was the last step: all ${progress.steps.length} are done.`;
  return `${lead}: done and verified.${next}`;
}

function planText(progress: PlanProgress): string {
  return `The team recommends ${progress.steps.length} step${progress.steps.length === 1 ? "" : "s"}:\n${numbered(progress.steps)}`;
}

function numbered(steps: string[]): string {
  return steps.map((s, i) => `${i + 1}. ${s}`).join("\n");
}

function range(ns: number[]): string {
  return ns.length === 1 ? `step ${ns[0]}` : `steps ${ns[0]}–${ns.at(-1)}`;
}

// The first lines under CONTEXT.md's state (or status) heading; else its first lines of text.
function contextState(context: string): string {
  const lines = context.split("\n");
  const heading = lines.findIndex((l) => /^#+\s*(current\s+)?(state|status)\b/i.test(l));
  const body = heading >= 0 ? lines.slice(heading + 1) : lines;
  const end = heading >= 0 ? body.findIndex((l) => /^#+\s/.test(l)) : -1;
  const text = (end >= 0 ? body.slice(0, end) : body).filter((l) => l.trim() && !/^#+\s/.test(l)).slice(0, 2);
  return text.length ? text.map((l) => l.replace(/^\s*[-*]\s+/, "").trim()).join(" ") : "(nothing yet)";
}

function lastLaunch(launches: LaunchOutcome[], ok: (l: LaunchOutcome) => boolean): LaunchOutcome | undefined {
  return launches.findLast(ok);
}

// The person named what they mean ("… of the README", "… on caching: …"), rather than pointing at the last run.
function ownSubject(text: string): boolean {
  return /\b(on|about|of|for)\b|:/i.test(text);
}

// A task on one line, clipped: the subject of a check, an opinion or a debate.
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 299).trimEnd()}…` : line;
}

// What the last run was about: the task of the last launch that was not a verification.
function lastSubject(h: History): string | undefined {
  const task = lastLaunch(h.launches, (l) => !!l.task && !/^Verify that step /.test(l.task))?.task ?? lastDigestRun(h)?.task;
  return task?.replace(/^(Check this work|Give your own, independent opinion on|Debate and settle): /, "");
}

function lastDigestRun(h: History): { run_id: string; status: string; task: string } | undefined {
  return digestRuns(h.system).at(-1);
}

function lastResultLine(step: ToolStep): string {
  return `The last result (${step.name}): ${firstLine(step.result ?? "(none)")}`;
}

