import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from "yaml";
import { ConfigError } from "../errors.ts";
import type { Recommendation } from "./analysis-report.ts";

/** What applying recommendations to a config's text gave. */
export interface AppliedRecommendations {
  /** The config's new text: the old one's comments and key order kept. */
  text: string;
  /** Each change made, as a person reads it: `coordination.max_rounds: 6 → 2`, `agents: alpha, beta (gamma removed)`. */
  changes: string[];
}

/**
 * Applies recommendations to the YAML text of a config with the yaml library's Document API, so
 * comments, key order and flow style (`{ run: 600 }`) are kept. Each `set` is a dotted path →
 * value (`coordination.timeouts.idle` → 180); maps missing on the way are created; a segment
 * after `agents` names an agent by id (`agents.beta.backend.models.voting`). Later recommendations
 * win over earlier ones for the same path; the `agents` lists of several recommendations are
 * intersected, in the order of the first. A changed key gets a comment saying what it was and
 * why it changed; `label` names the config in errors. Throws a ConfigError for a YAML error, an
 * unknown agent, a path through a value that is not a map, or no agent left.
 *
 * @example
 * applyRecommendations("coordination:\n  max_rounds: 6 # six\n", [{ change: "coordination.max_rounds: 2", why: "circling", expected: "2 rounds", set: { "coordination.max_rounds": 2 } }], "team.yaml").text;
 * // "coordination:\n  # conclave analyze: was 6; circling\n  max_rounds: 2 # six\n"
 */
export function applyRecommendations(text: string, recommendations: Recommendation[], label: string): AppliedRecommendations {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(`cannot apply the recommendations to \`${label}\`: it is not valid YAML (${doc.errors[0]!.message.split("\n")[0]}). Run \`conclave validate ${label}\` to see where.`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new ConfigError(`cannot apply the recommendations to \`${label}\`: expected a map of settings at its top level, found ${describeNode(doc.contents)}. Run \`conclave validate ${label}\`.`);
  const changes: string[] = [];
  const sets = new Map<string, { value: string | number | boolean; why: string }>();
  for (const r of recommendations) for (const [path, value] of Object.entries(r.set ?? {})) sets.set(path, { value, why: r.why });
  for (const [path, { value, why }] of sets) {
    const change = setPath(doc, path, value, why, label);
    if (change) changes.push(change);
  }
  const lists = recommendations.filter((r) => r.agents !== undefined);
  if (lists.length > 0) changes.push(keepAgents(doc, lists, label));
  // lineWidth 0: lines are never folded, so a long flow map or prompt stays on its line.
  return { text: doc.toString({ lineWidth: 0 }), changes };
}

// Sets one dotted path; returns the change for people, or undefined when the value is already so.
function setPath(doc: Document, path: string, value: string | number | boolean, why: string, label: string): string | undefined {
  const keys = path.split(".");
  if (keys.some((k) => k === "")) throw new ConfigError(`cannot apply \`${path}\` to \`${label}\`: expected a dotted config path such as \`coordination.max_rounds\`, got an empty segment.`);
  let map = doc.contents as YAMLMap;
  let at = "";
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    at = at ? `${at}.${key}` : key;
    let next: unknown = map.get(key, true);
    if (key === "agents" && i === 0) {
      const id = keys[++i]!;
      if (i === keys.length - 1) throw new ConfigError(`cannot apply \`${path}\` to \`${label}\`: \`agents.${id}\` names an agent, not a setting; name one of its fields, such as \`agents.${id}.backend.model\`.`);
      next = agentNamed(doc, id, label, path);
      at = `agents.${id}`;
    } else if (next === undefined || (isScalar(next) && next.value === null)) {
      next = doc.createNode({});
      map.set(doc.createNode(key), next);
    }
    if (!isMap(next)) throw new ConfigError(`cannot apply \`${path}\` to \`${label}\`: \`${at}\` is ${describeNode(next)}, expected a map of settings. Fix \`${at}\` in the config, or apply the change by hand.`);
    map = next;
  }
  const key = keys.at(-1)!;
  const before = map.get(key);
  if (before === value) return undefined;
  // A new key as a node, so the comment can be put on it.
  if (map.has(key)) map.set(key, value);
  else map.add(doc.createPair(key, value));
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key)!;
  const was = before === undefined ? "not set" : `was ${String(before)}`;
  if (isScalar(pair.key) && !map.flow) pair.key.commentBefore = [pair.key.commentBefore, ` conclave analyze: ${was}; ${oneLine(why)}`].filter(Boolean).join("\n");
  return `${path}: ${before === undefined ? "(not set)" : String(before)} → ${String(value)}`;
}

// Keeps only the agents every list names, in the order of the first list.
function keepAgents(doc: Document, lists: Recommendation[], label: string): string {
  const seq = doc.get("agents", true);
  if (!isSeq(seq)) throw new ConfigError(`cannot keep only some agents in \`${label}\`: expected an \`agents:\` list, found ${describeNode(seq)}. Run \`conclave validate ${label}\`.`);
  const wanted = lists[0]!.agents!.filter((id) => lists.every((r) => r.agents!.includes(id)));
  if (wanted.length === 0) {
    throw new ConfigError(`cannot keep only some agents in \`${label}\`: the recommendations keep no agent in common (${lists.map((r) => `\`${r.change}\``).join(", ")}). Apply one of them by hand.`);
  }
  const items = wanted.map((id) => agentNamed(doc, id, label, `--agents ${wanted.join(",")}`));
  const removed = (seq as YAMLSeq).items.filter((item) => !items.includes(item as YAMLMap)).map((item) => String(isMap(item) ? item.get("id") : item));
  (seq as YAMLSeq).items = items;
  const why = lists.map((r) => oneLine(r.why)).join("; ");
  const key = (doc.contents as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === "agents")?.key;
  if (isScalar(key) && removed.length > 0) key.commentBefore = [key.commentBefore, ` conclave analyze: removed ${removed.join(", ")}; ${why}`].filter(Boolean).join("\n");
  return `agents: ${wanted.join(", ")}${removed.length ? ` (${removed.join(", ")} removed)` : ""}`;
}

// The `agents:` item whose id is `id`.
function agentNamed(doc: Document, id: string, label: string, what: string): YAMLMap {
  const seq = doc.get("agents", true);
  const items = isSeq(seq) ? seq.items.filter(isMap) : [];
  const found = items.find((item) => item.get("id") === id);
  if (!found) {
    const ids = items.map((item) => String(item.get("id")));
    throw new ConfigError(`cannot apply \`${what}\` to \`${label}\`: it has no agent \`${id}\` (its agents: ${ids.join(", ") || "none"}). Check that this is the run's config.`);
  }
  return found;
}

function describeNode(node: unknown): string {
  if (node === undefined || node === null) return "missing";
  if (isSeq(node)) return "a list";
  if (isMap(node)) return "a map";
  if (isScalar(node)) return `the value ${JSON.stringify(node.value)}`;
  return "not a map";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
