import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { isCollection, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { indentationFault } from "./indentation-fault.ts";
import { configSchema, type ConclaveConfig, type ConfigInput } from "./config-schema.ts";

/**
 * Reads and validates a config file. `${VAR}` and `${VAR:-default}` in string values are
 * replaced from `env`. Every error names the file, the line and the field.
 *
 * @example
 * const config = loadConfig("configs/offline.yaml");
 * config.agents.map((a) => a.id); // ["alpha", "beta", "gamma"]
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): ConclaveConfig {
  const label = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw new ConfigError(`cannot read config \`${label}\`: ${aDirectory(path, label)}`, { cause });
    const why = code === "ENOENT" ? "no such file" : String(cause);
    throw new ConfigError(`cannot read config \`${label}\`: ${why}. Pass an existing file with --config.`, { cause });
  }
  return parseConfig(text, label, env);
}

// What to say of a directory given as a config: it wants a file, and which files the directory holds.
function aDirectory(path: string, label: string): string {
  let yamls: string[] = [];
  try {
    yamls = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    // Unreadable: say only that it is a directory.
  }
  const held = yamls.length ? ` such as \`${join(label, yamls[0]!)}\` (it holds ${yamls.slice(0, 3).map((f) => `\`${f}\``).join(", ")}${yamls.length > 3 ? ", …" : ""})` : "";
  return `it is a directory, expected a YAML file${held}. Pass one config file.`;
}

// Configs already validated, by label and text (an object config by its JSON): a workflow loads its config at every
// step, and a server at every run, so the same few hundred bytes were parsed and validated again each time. Only
// text without `${` is kept (an interpolated one depends on the environment), and each caller gets its own copy, so
// no caller sees another's edits.
const parsed = new Map<string, ConclaveConfig>();
const PARSED_KEPT = 16;

/** Validates YAML text as a config; `label` names it in errors. */
export function parseConfig(text: string, label: string, env: NodeJS.ProcessEnv = process.env): ConclaveConfig {
  const key = text.includes("${") ? undefined : `${label}\0${text}`;
  const known = key === undefined ? undefined : parsed.get(key);
  if (known) return structuredClone(known);
  const config = parseConfigText(text, label, env);
  if (key !== undefined) keep(key, config);
  return config;
}

function parseConfigText(text: string, label: string, env: NodeJS.ProcessEnv): ConclaveConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    if (err.code === "MULTIPLE_DOCS") {
      throw new ConfigError(`${label}:${lines.linePos(err.pos[0]).line} malformed YAML: a config holds one document; remove the \`---\` separator and what follows it, or split it into two files.`);
    }
    const line = lines.linePos(err.pos[0]).line;
    if (err instanceof RangeError || /call stack/i.test(err.message)) throw tooDeep(label, line);
    // The library reports some indentation mistakes on a neighbouring line: name the line at fault.
    const fault = indentationFault(text, err.code, line);
    if (fault) throw new ConfigError(`${label}:${fault.line} malformed YAML: ${fault.message}`);
    throw new ConfigError(`${label}:${line} malformed YAML: ${err.message.split("\n")[0]}`);
  }
  interpolateEnv(doc, label, lines, env);
  const value = toPlainValue(doc, label, lines);
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, label, doc, lines));
  return result.data;
}

/** The most aliases (`*name`) a config may expand; the yaml library's own default. */
const MAX_ALIAS_COUNT = 100;

// The document as plain data; an alias bomb or too deep a nesting is a ConfigError at its line, not a crash.
function toPlainValue(doc: Document, label: string, lines: LineCounter): unknown {
  const deep = nodeDeeperThan(doc, MAX_DEPTH);
  if (deep) throw tooDeep(label, deep.range ? lines.linePos(deep.range[0]).line : "?");
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (cause) {
    if (!(cause instanceof ReferenceError && /alias/i.test(cause.message))) throw cause;
    let line: number | string = "?";
    visit(doc, {
      Alias(_key, node) {
        if (node.range) line = lines.linePos(node.range[0]).line;
        return visit.BREAK;
      },
    });
    throw new ConfigError(
      `${label}:${line} malformed YAML: its aliases (\`*name\`) expand to too many nodes (more than ${MAX_ALIAS_COUNT} per alias), as an alias bomb does. A config needs few or no aliases: write the values out.`,
      { cause },
    );
  }
}

/** Collections nested deeper than this are refused; a config needs a handful of levels. */
const MAX_DEPTH = 64;

function tooDeep(label: string, line: number | string): ConfigError {
  return new ConfigError(
    `${label}:${line} malformed YAML: collections are nested too deeply (more than ${MAX_DEPTH} levels). A config needs a few levels of nesting: remove the deep nesting.`,
  );
}

// The first collection nested deeper than `limit`, found without recursion (so no depth can overflow the stack).
function nodeDeeperThan(doc: Document, limit: number): { range?: [number, number, number] | null } | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth >= limit) return node;
    for (const item of node.items as unknown[]) {
      if (isPair(item)) stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Validates a config given as an object (from code rather than a file). */
export function validateConfig(value: ConfigInput | ConclaveConfig, label = "config"): ConclaveConfig {
  // The same object config passed to run after run (a program's, a server's) is validated once: kept by its JSON,
  // only when that JSON says all it holds (plain objects, arrays, strings, finite numbers, booleans and null).
  const json = plainJson(value);
  const key = json === undefined ? undefined : `\0object\0${json}`;
  const known = key === undefined ? undefined : parsed.get(key);
  if (known) return structuredClone(known);
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, label));
  if (key !== undefined) keep(key, result.data);
  return result.data;
}

function keep(key: string, config: ConclaveConfig): void {
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, structuredClone(config));
}

// `value` as JSON when JSON holds all of it, else undefined: no undefined member or hole, no function, symbol,
// bigint, NaN or Infinity, no object but plain ones and arrays (a Date, a Map, a class's instance), no cycle.
function plainJson(value: unknown): string | undefined {
  let plain = true;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, member: unknown) {
      const original = key === "" ? value : this[key];
      if (original === null || typeof original === "string" || typeof original === "boolean") return member;
      if (typeof original === "number") plain &&= Number.isFinite(original);
      else if (Array.isArray(original)) plain &&= Object.keys(original).length === original.length;
      else if (typeof original === "object") {
        const proto = Object.getPrototypeOf(original);
        plain &&= (proto === Object.prototype || proto === null) && !("toJSON" in original);
      } else plain = false; // undefined, a function, a symbol
      return member;
    });
  } catch {
    return undefined; // a cycle, a bigint, a getter that throws
  }
  return plain ? text : undefined;
}

// Replaces ${VAR} and ${VAR:-default} inside string scalars, so YAML structure cannot be injected.
function interpolateEnv(doc: Document, label: string, lines: LineCounter, env: NodeJS.ProcessEnv): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string" || !node.value.includes("${")) return;
      const whole = /^\$\{[^}]*\}$/.test(node.value);
      const text = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
        const value = env[name];
        if (value !== undefined && value !== "") return value;
        if (fallback !== undefined) return fallback;
        const line = node.range ? lines.linePos(node.range[0]).line : "?";
        throw new ConfigError(
          `${label}:${line} environment variable \`${name}\` is not set. Set it, or write \`\${${name}:-default}\` to give a default.`,
        );
      });
      // `max_rounds: ${ROUNDS:-4}` is a number, as it would be written without the variable.
      node.value = whole ? typedScalar(text) : text;
    },
  });
}

/** `configs/team.yaml:12 agents[1].backend.type: expected one of auto, openai, …` */
export function formatIssues(issues: z.core.$ZodIssue[], label: string, doc?: Document, lines?: LineCounter): string {
  const shown = issues.slice(0, 5).map((issue) => {
    const field = formatPath(issue.path);
    // An unknown field is reported on its own line, not on its parent's.
    const at = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
    const line = doc && lines ? lineOf(doc, lines, at) : undefined;
    const where = line === undefined ? label : `${label}:${line}`;
    return `${where} ${field || "(top level)"}: ${describeIssue(issue, doc)}`;
  });
  if (issues.length > 5) shown.push(`…and ${issues.length - 5} more`);
  return shown.join("\n");
}

function describeIssue(issue: z.core.$ZodIssue, doc?: Document): string {
  const got = doc ? received(doc, issue.path) : undefined;
  switch (issue.code) {
    case "invalid_value":
      return `expected one of ${issue.values.map(String).join(", ")}${got}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")}; remove it or check the spelling`;
    case "invalid_type":
      return `expected ${issue.expected}${got ?? ""}`;
    case "too_small":
      return `expected ${issue.origin === "array" ? "at least" : issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}${issue.origin === "array" ? " item(s)" : ""}${got ?? ""}`;
    case "too_big":
      return `expected ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}${got ?? ""}`;
    case "custom":
      return issue.message;
    default:
      return `${issue.message}${got ?? ""}`;
  }
}

function received(doc: Document, path: PropertyKey[]): string {
  const node = doc.getIn(path as (string | number)[], true);
  if (node === undefined) return ", got nothing";
  if (isScalar(node)) return `, got ${JSON.stringify(node.value)}`;
  return "";
}

function lineOf(doc: Document, lines: LineCounter, path: PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function typedScalar(text: string): string | number | boolean {
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
