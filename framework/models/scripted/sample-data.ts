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

/**
 * A value that satisfies common JSON Schemas (objects, arrays, strings, numbers, booleans,
 * enums, unions), worded from `topic`. Booleans are true and arrays of issues empty where the
 * name says so, so a scripted verification passes.
 *
 * @example
 * sampleData({ type: "object", properties: { steps: { type: "array", items: { type: "string" } } } }, "Add caching")
 * // { steps: ["Add caching: step 1", "Add caching: step 2", "Add caching: step 3"] }
 */
export function sampleData(schema: unknown, topic: string, name = "value"): unknown {
  const s = (schema ?? {}) as Schema;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const union = s.anyOf ?? s.oneOf;
  if (union?.length) return sampleData(union.find((u) => u.type !== "null") ?? union[0], topic, name);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type ?? (s.properties ? "object" : "string")) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(s.properties ?? {})) out[key] = sampleData(value, topic, key);
      return out;
    }
    case "array": {
      if (/issue|error|problem|fail/i.test(name)) return [];
      const count = Math.min(s.maxItems ?? 3, Math.max(s.minItems ?? 0, 3));
      return Array.from({ length: count }, (_, i) => sampleData(s.items, `${topic}: ${singular(name)} ${i + 1}`, singular(name)));
    }
    case "boolean":
      return true;
    case "integer":
    case "number":
      return 1;
    case "null":
      return null;
    default:
      return /title|name|summary/i.test(name) ? titleOf(topic) : topic;
  }
}

function singular(name: string): string {
  return name.endsWith("s") ? name.slice(0, -1) : name;
}

function titleOf(topic: string): string {
  const text = topic.split("\n")[0]!.trim();
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
