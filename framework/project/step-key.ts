import { createHash } from "node:crypto";
import { ConfigError } from "../errors.ts";

/**
 * A stable key for a workflow step: the first 24 hex digits of the sha256 of `parts` as JSON
 * with object keys sorted, so equal inputs give equal keys whatever the key order. As in
 * `JSON.stringify`, properties holding functions, symbols or undefined are skipped (in arrays
 * they become null) and `toJSON()` is honoured. A bigint or a cycle is a ConfigError.
 *
 * @example
 * stepKey({ task: "Plan", options: { mode: "single", rounds: 2 } }) ===
 *   stepKey({ options: { rounds: 2, mode: "single" }, task: "Plan" }); // true
 */
export function stepKey(parts: unknown): string {
  const json = canonicalJson(parts, "parts", new Set()) ?? "null";
  return createHash("sha256").update(json).digest("hex").slice(0, 24);
}

// JSON text of `value` with sorted keys; undefined for what JSON.stringify leaves out.
function canonicalJson(value: unknown, at: string, seen: Set<object>): string | undefined {
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
  if (typeof value === "bigint") throw new ConfigError(`stepKey(): \`${at}\` is a bigint, which JSON cannot hold; pass it as a string or number.`);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return canonicalJson((value as { toJSON: (key: string) => unknown }).toJSON(""), at, seen);
  }
  if (seen.has(value)) throw new ConfigError(`stepKey(): \`${at}\` refers back to itself; pass plain JSON data without cycles.`);
  seen.add(value);
  let json: string;
  if (Array.isArray(value)) {
    json = `[${value.map((item, i) => canonicalJson(item, `${at}[${i}]`, seen) ?? "null").join(",")}]`;
  } else {
    const fields: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const field = canonicalJson((value as Record<string, unknown>)[key], `${at}.${key}`, seen);
      if (field !== undefined) fields.push(`${JSON.stringify(key)}:${field}`);
    }
    json = `{${fields.join(",")}}`;
  }
  seen.delete(value);
  return json;
}
