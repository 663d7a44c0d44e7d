// Plausible, deterministic data for a JSON Schema, so an offline run can fill any structured output.

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minItems?: number;
  maxItems?: number;
  default?: unknown;
};

/** What the sample is worded from besides its topic: the project files the run was shown. */
export interface SampleSources {
  /** Project files (relative paths) the run's context shows. */
  files?: string[];
  /** The file an item of findings is about, and its title (set while filling one). */
  file?: string;
  title?: string;
  /** Inside a verdict (an object with a boolean, such as `{ passed, issues }`): its findings stay empty, so it passes. */
  verdict?: boolean;
}

/**
 * A value that satisfies common JSON Schemas (objects, arrays, strings, numbers, booleans,
 * enums, unions), worded from `topic`. Booleans are true and a verdict's issues empty, so a
 * scripted verification passes. A list of findings outside a verdict (`issues`, `problems`, …)
 * has one item per file the run was shown (at most three), each naming its file in a `file` or
 * `path` field and in its wording; with no file shown it is empty: there was nothing to review.
 *
 * @example
 * sampleData({ type: "object", properties: { steps: { type: "array", items: { type: "string" } } } }, "Add caching")
 * // { steps: ["Add caching: step 1", "Add caching: step 2", "Add caching: step 3"] }
 * sampleData({ type: "array", items: { type: "object", properties: { file: { type: "string" } } } }, "Review", "issues", { files: ["src/a.ts"] })
 * // [{ file: "src/a.ts" }]
 */
export function sampleData(schema: unknown, topic: string, name = "value", sources: SampleSources = {}): unknown {
  const s = (schema ?? {}) as Schema;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) return sampleData(union.find((u) => u.type !== "null") ?? union[0], topic, name, sources);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type ?? (s.properties ? "object" : "string")) {
    case "object": {
      const props = Object.values(s.properties ?? {});
      const verdict = sources.verdict || props.some((p) => p.type === "boolean");
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(s.properties ?? {})) out[key] = sampleData(value, topic, key, { ...sources, verdict });
      return out;
    }
    case "array": {
      if (/issue|error|problem|fail|finding/i.test(name)) {
        const files = sources.files ?? [];
        if (sources.verdict || files.length === 0) return [];
        const count = Math.min(s.maxItems ?? 3, Math.max(s.minItems ?? 0, Math.min(3, files.length)));
        return Array.from({ length: count }, (_, i) => {
          const file = files[i % files.length]!;
          const title = `${capitalized(singular(name))} ${i + 1} in ${file}`;
          return sampleData(s.items, `A scripted sample for "${titleOf(topic)}": a real model says here what is wrong in ${file} and where.`, singular(name), { ...sources, file, title });
        });
      }
      const count = Math.min(s.maxItems ?? 3, Math.max(s.minItems ?? 0, 3));
      return Array.from({ length: count }, (_, i) => sampleData(s.items, `${topic}: ${singular(name)} ${i + 1}`, singular(name), sources));
    }
    case "boolean":
      return true;
    case "integer":
    case "number":
      return 1;
    case "null":
      return null;
    default:
      if (sources.file && /^(file|path|filename|location)$/i.test(name)) return sources.file;
      return /title|name|summary/i.test(name) ? (sources.title ?? titleOf(topic)) : topic;
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function singular(name: string): string {
  return name.endsWith("s") ? name.slice(0, -1) : name;
}

function titleOf(topic: string): string {
  const text = topic.split("\n")[0]!.trim();
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
