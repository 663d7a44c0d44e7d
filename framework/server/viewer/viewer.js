// The run viewer: the runs of the project, and a page per run rebuilt from its event stream (live while it runs).
// Plain script, no build step. Every value from a run is put on the page as text (textContent), never as HTML.
"use strict";

const main = document.getElementById("main");
const where = document.getElementById("where");
let stream = null;
let queryWatch = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "href") node.setAttribute("href", v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
const usd = (v) => (typeof v === "number" ? `$${v.toFixed(4)}` : "—");
const secs = (v) => (typeof v === "number" ? `${v.toFixed(1)} s` : "—");
const pick = (o, ...names) => { for (const n of names) if (o && o[n] !== undefined && o[n] !== null) return o[n]; return undefined; };

async function showRuns() {
  where.textContent = "runs";
  const res = await fetch("/api/runs", { headers: { accept: "application/json" } });
  if (!res.ok) return (main.replaceChildren(el("p", { class: "status failed" }, `Cannot list the runs: HTTP ${res.status}`)));
  const body = await res.json();
  const runs = Array.isArray(body) ? body : body.runs || [];
  if (runs.length === 0) return main.replaceChildren(el("p", { class: "dim" }, "No runs yet."));
  const rows = runs.map((r) => {
    const id = pick(r, "run_id", "id");
    const status = pick(r, "status") || "";
    return el("tr", { "data-run": id },
      el("td", {}, el("a", { href: `#/runs/${encodeURIComponent(id)}` }, id)),
      el("td", { class: `status ${status}` }, status),
      el("td", {}, pick(r, "winner") || "—"),
      el("td", {}, usd(pick(r, "cost_usd", "cost"))),
      el("td", {}, secs(pick(r, "elapsed_seconds", "duration_seconds", "duration"))),
      el("td", {}, String(pick(r, "task") || "").split("\n")[0].slice(0, 120)));
  });
  main.replaceChildren(el("h1", {}, "Runs"), el("table", { id: "runs" }, el("thead", {}, el("tr", {}, ["Run", "Status", "Winner", "Cost", "Duration", "Task"].map((h) => el("th", {}, h)))), el("tbody", {}, rows)));
}

// What a run's events say, folded into one picture.
function fold(events) {
  const run = { phases: [], answers: [], votes: [], agents: {}, notes: [], status: "running", winner: null, reason: null, final: null, deadline: [] };
  const counts = {};
  for (const e of events) {
    const agent = e.agentId;
    if (agent && !run.agents[agent]) run.agents[agent] = { input: 0, output: 0, cost: 0, calls: 0, model: "", error: null };
    switch (e.type) {
      case "run.phase": run.phases.push({ phase: e.phase, round: e.round, t: e.t }); break;
      case "run.round": run.phases.push({ phase: "voting", round: e.round, t: e.t }); break;
      case "run.agent.answered": counts[agent] = (counts[agent] || 0) + 1; run.answers.push({ agent, version: `${agent}.${counts[agent]}`, round: e.round, content: e.content || "" }); break;
      case "run.agent.voted": run.votes.push({ voter: agent, label: e.label, target: e.target, reason: e.reason || "", round: e.round }); break;
      case "run.agent.presented": run.final = e.content || ""; break;
      case "run.agent.failed": run.agents[agent].error = e.error; break;
      case "run.agent.usage": {
        const a = run.agents[agent];
        a.input += (e.usage && e.usage.input_tokens) || 0; a.output += (e.usage && e.usage.output_tokens) || 0;
        a.cost = a.cost === null || e.cost_usd === null ? null : a.cost + (e.cost_usd || 0); a.calls += 1; a.model = e.model || a.model;
        break;
      }
      case "run.note": run.notes.push(e.text); break;
      case "run.deadline": run.deadline.push(e.deadline); break;
      case "run.finished": run.status = e.status; run.winner = e.winner; run.reason = e.winner_reason; break;
      case "complete": if (e.result) run.status = e.result.status || run.status; break;
    }
  }
  return run;
}

// The findings panel: why the run was slow or went in circles (GET /api/runs/<id>/analysis), once it has ended.
const EVIDENCE_SHOWN = 6;
function renderAnalysis(analysis) {
  if (!analysis) return null;
  if (analysis.error) return el("section", { id: "analysis" }, el("h2", {}, "Findings"), el("p", { class: "dim" }, `No analysis: ${analysis.error}`));
  const findings = analysis.findings || [];
  const recommendations = analysis.recommendations || [];
  return el("section", { id: "analysis" },
    el("h2", {}, "Findings"),
    findings.length === 0 ? el("p", { class: "dim", id: "no-findings" }, "No findings: no circling, split votes, slow or costly agent, retries or deadlines.") : null,
    findings.map((f) => {
      const evidence = f.evidence || [];
      return el("div", { class: `finding ${f.severity}`, "data-kind": f.kind },
        el("p", {}, el("strong", {}, f.kind), " ", el("span", { class: `severity ${f.severity}` }, f.severity),
          (f.rounds || []).length ? el("span", { class: "dim" }, ` · rounds ${f.rounds.join(", ")}`) : null,
          (f.agents || []).length ? el("span", { class: "dim" }, ` · ${f.agents.join(", ")}`) : null),
        el("p", { class: "summary" }, f.summary),
        evidence.length ? el("ul", { class: "evidence" }, evidence.slice(0, EVIDENCE_SHOWN).map((e) => el("li", {}, e.text)),
          evidence.length > EVIDENCE_SHOWN ? el("li", { class: "dim" }, `… ${evidence.length - EVIDENCE_SHOWN} more (conclave analyze shows them all)`) : null) : null);
    }),
    recommendations.length ? [el("h3", {}, "Recommended changes"), el("ul", { id: "recommendations" }, recommendations.map((r) =>
      el("li", { "data-change": r.change }, el("code", {}, r.change), " ", r.why, r.expected ? el("span", { class: "dim" }, ` ${r.expected}`) : null)))] : null);
}

function renderRun(id, events, detail, analysis) {
  const run = fold(events);
  // Until the stream has brought the run's end (or for a run that never wrote one: abandoned), its row says how it stands.
  const known = detail && detail.run && detail.run.status;
  if (run.status === "running" && known && known !== "starting") run.status = known;
  const task = pick(detail && detail.description, "task") || pick(detail, "task") || "";
  const patch = detail && typeof detail.patch === "string" ? detail.patch : null;
  const won = (a) => run.winner && a.agent === run.winner && a === [...run.answers].reverse().find((x) => x.agent === run.winner);
  // A run without a presentation (one agent, or presentation off) has its final answer in result.json only.
  const result = detail && detail.result;
  const final = run.final !== null ? run.final : result && typeof result.answer === "string" ? result.answer : null;
  // Sections left out are null and some are lists: replaceChildren() would print both as text.
  main.replaceChildren(...[
    el("h1", {}, "Run ", id),
    task ? el("p", {}, String(task).split("\n")[0]) : null,
    el("p", {}, el("span", { class: `status ${run.status}`, id: "run-status" }, run.status),
      run.winner ? el("span", { id: "winner" }, ` · winner ${run.winner}${run.reason ? ` (${run.reason})` : ""}`) : null),
    renderAnalysis(analysis),
    el("h2", {}, "Timeline"),
    el("ol", { class: "timeline", id: "timeline" }, run.phases.map((p) => el("li", {}, `${p.phase}${p.round ? ` ${p.round}` : ""}`))),
    el("h2", {}, "Answers"),
    el("div", { class: "answers", id: "answers" }, run.answers.map((a) => el("div", { class: `answer${won(a) ? " winner" : ""}`, "data-version": a.version },
      el("strong", {}, a.version), el("span", { class: "dim" }, ` round ${a.round}`), el("pre", {}, a.content)))),
    el("h2", {}, "Votes"),
    run.votes.length ? el("table", { id: "votes" }, el("thead", {}, el("tr", {}, ["Voter", "For", "Reason", "Round"].map((h) => el("th", {}, h)))),
      el("tbody", {}, run.votes.map((v) => el("tr", {}, el("td", {}, v.voter), el("td", {}, `${v.label} (${v.target})`), el("td", {}, v.reason), el("td", {}, v.round))))) : el("p", { class: "dim" }, "No votes yet."),
    el("h2", {}, "Agents"),
    el("table", { id: "agents" }, el("thead", {}, el("tr", {}, ["Agent", "Model", "Calls", "Tokens in / out", "Cost", "Error"].map((h) => el("th", {}, h)))),
      el("tbody", {}, Object.entries(run.agents).map(([name, a]) => el("tr", {}, el("td", {}, name), el("td", {}, a.model), el("td", {}, a.calls), el("td", {}, `${a.input} / ${a.output}`), el("td", {}, usd(a.cost)), el("td", {}, a.error || ""))))),
    run.notes.length ? [el("h2", {}, "Notes from the person"), el("ul", {}, run.notes.map((n) => el("li", {}, n)))] : null,
    el("h2", {}, "Final answer"),
    final !== null ? el("pre", { id: "final" }, final) : el("p", { class: "dim" }, run.status === "running" ? "Not yet." : "None."),
    patch ? [el("h2", {}, "Changes"), el("pre", { class: "diff", id: "patch" }, patch.split("\n").map((line) => el("div", { class: line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : line.startsWith("@@") ? "hunk" : "" }, line)))] : null,
  ].flat().filter((part) => part !== null));
}

const EVENT_NAMES = ["message", "progress", "complete", "end", "run.phase", "run.round", "run.deadline", "run.finished", "run.note", "run.cancel",
  "run.agent.answered", "run.agent.voted", "run.agent.presented", "run.agent.failed", "run.agent.usage", "run.agent.retry", "run.agent.tool_call", "run.agent.note"];

async function showRun(id) {
  where.textContent = `run ${id}`;
  const res = await fetch(`/api/runs/${encodeURIComponent(id)}`, { headers: { accept: "application/json" } });
  if (!res.ok) return main.replaceChildren(el("p", { class: "status failed" }, `No run ${id}: HTTP ${res.status}`));
  let detail = await res.json();
  const events = [];
  const seen = new Set();
  let queued = false;
  let analysis = null;
  let analysisAsked = false;
  const redraw = () => { if (queued) return; queued = true; requestAnimationFrame(() => { queued = false; renderRun(id, events, detail, analysis); }); };
  // Asked once the run has ended (at once for one that had ended before the page opened).
  const askAnalysis = () => {
    if (analysisAsked) return;
    analysisAsked = true;
    fetch(`/api/runs/${encodeURIComponent(id)}/analysis`, { headers: { accept: "application/json" } })
      .then(async (r) => (r.ok ? r.json() : { error: (await r.json().catch(() => ({}))).error || `HTTP ${r.status}` }))
      .catch((error) => ({ error: String(error) }))
      .then((a) => { analysis = a; redraw(); });
  };
  renderRun(id, events, detail, analysis);
  const status = detail && detail.run && detail.run.status;
  if ((detail && detail.result) || (status && status !== "running" && status !== "starting")) askAnalysis();
  queryWatch = watchQueries(id);
  document.body.insertBefore(queryWatch.box, main);
  stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  const take = (msg) => {
    if (msg.lastEventId && seen.has(msg.lastEventId + msg.type)) return;
    if (msg.lastEventId) seen.add(msg.lastEventId + msg.type);
    let data; try { data = JSON.parse(msg.data); } catch { return; }
    if (data && typeof data === "object") events.push(data);
    if (msg.type === "end" || (data && (data.type === "complete" || data.type === "run.finished"))) {
      // The run is over: its detail (result, changes) once more, and the stream closed.
      fetch(`/api/runs/${encodeURIComponent(id)}`).then((r) => (r.ok ? r.json() : detail)).then((d) => { detail = d; redraw(); });
      askAnalysis();
      if (msg.type === "end" || data.type === "complete") stream && stream.close();
    }
    redraw();
  };
  for (const name of EVENT_NAMES) stream.addEventListener(name, take);
}

// The agents' pending questions for a run, answerable in place (a server that only reads runs has none: 501).
function watchQueries(id) {
  const box = el("section", { id: "queries" });
  let stopped = false;
  let shown = "";
  const poll = async () => {
    if (stopped) return;
    const res = await fetch(`/api/queries?run_id=${encodeURIComponent(id)}`, { headers: { accept: "application/json" } }).catch(() => null);
    if (!res || res.status === 501) return;
    const { queries = [] } = res.ok ? await res.json() : {};
    const key = JSON.stringify(queries.map((q) => q.id));
    if (key !== shown) {
      shown = key;
      box.replaceChildren(...(queries.length ? [el("h2", {}, "Waiting for you")] : []), ...queries.map((q) => {
        const input = el("input", { type: "text", placeholder: "Your answer", "aria-label": `Answer to: ${q.question}` });
        const send = async (answer) => {
          const r = await fetch(`/api/queries/${encodeURIComponent(q.id)}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ answer }) });
          if (r.ok) { shown = ""; poll(); }
          else note.textContent = `Not sent: ${(await r.json().catch(() => ({}))).error || r.status}`;
        };
        const note = el("span", { class: "dim" });
        const buttons = (q.options || []).map((o) => { const b = el("button", { type: "button", "data-option": o }, o); b.addEventListener("click", () => send(o)); return b; });
        const submit = el("button", { type: "button" }, "Send");
        submit.addEventListener("click", () => input.value.trim() && send(input.value.trim()));
        return el("div", { class: "query", "data-query": q.id },
          el("p", {}, el("strong", {}, q.agent || "An agent"), " asks: ", q.question),
          q.context ? el("p", { class: "dim" }, typeof q.context === "string" ? q.context : JSON.stringify(q.context)) : null,
          el("p", {}, buttons, " ", input, " ", submit, " ", note));
      }));
    }
    setTimeout(poll, 1000);
  };
  poll();
  return { box, stop: () => { stopped = true; } };
}

function route() {
  if (stream) { stream.close(); stream = null; }
  if (queryWatch) { queryWatch.stop(); queryWatch.box.remove(); queryWatch = null; }
  const m = /^#\/runs\/([^/]+)$/.exec(location.hash);
  (m ? showRun(decodeURIComponent(m[1])) : showRuns()).catch((error) => main.replaceChildren(el("p", { class: "status failed" }, String(error))));
}
window.addEventListener("hashchange", route);
route();
