import { z } from "zod";
import type { SessionRecord, StoredMessage } from "./session-types.ts";

// zod mirrors of session-types.ts: what session.json, a line of messages.jsonl and an export are
// checked against when read back. Loose objects, so fields a newer Conclave adds survive a round trip.

const usage = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_tokens: z.number(),
  cost_usd: z.number().nullable(),
  calls: z.number(),
});

const run = z.looseObject({
  run_id: z.string(),
  task: z.string(),
  status: z.string(),
  cost_usd: z.number().nullable(),
  log_dir: z.string(),
  launched_at: z.string(),
  result: z.looseObject({}).optional(),
  args: z.looseObject({}).optional(),
});

/** session.json (SessionRecord). */
export const SESSION_RECORD_SCHEMA = z.looseObject({
  id: z.string().min(1),
  project: z.string().nullable(),
  title: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  turns: z.int().min(0),
  runs: z.array(run),
  usage: z.looseObject({ conversation: usage, runs: usage }),
  compaction: z.looseObject({ summary: z.string(), upto: z.int().min(0) }).nullable(),
  forked_from: z.string().optional(),
});

/** One line of messages.jsonl (StoredMessage). */
export const STORED_MESSAGE_SCHEMA = z.looseObject({
  role: z.enum(["user", "assistant", "tool"]),
  content: z.string(),
  tool_calls: z.array(z.looseObject({ id: z.string(), name: z.string(), arguments: z.unknown(), rawArguments: z.string() })).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number(), cached_tokens: z.number() }).optional(),
  at: z.string(),
});

/** The `format` of `conclave sessions export --format json`; import refuses any other. */
export const SESSION_EXPORT_FORMAT = "conclave-session/1";

/** An exported session: `{ format, session, messages }`. */
export const SESSION_EXPORT_SCHEMA = z.looseObject({
  format: z.literal(SESSION_EXPORT_FORMAT, { error: `expected "${SESSION_EXPORT_FORMAT}" (a file written by \`conclave sessions export --format json\`)` }),
  session: SESSION_RECORD_SCHEMA,
  messages: z.array(STORED_MESSAGE_SCHEMA),
});

/** What `conclave sessions export --format json` writes. */
export interface SessionExport {
  format: typeof SESSION_EXPORT_FORMAT;
  session: SessionRecord;
  messages: StoredMessage[];
}

/**
 * The first problem of a failed parse as one phrase naming the field:
 * "`session.usage.runs.cost_usd`: Invalid input: expected number, received string".
 *
 * @example
 * const parsed = SESSION_RECORD_SCHEMA.safeParse(value);
 * if (!parsed.success) throw new ConfigError(`session.json: ${describeIssue(parsed.error)}`);
 */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.length ? issue.path.join(".") : "(the whole value)";
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  return `\`${field}\`: ${issue.message}${more}`;
}
