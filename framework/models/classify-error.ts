import { ModelApiError, RateLimitError, type ModelErrorKind } from "../errors.ts";
import { describeValue, redactUrls } from "./redact-secrets.ts";
import { backendAndModel } from "./backend-and-model.ts";

/** A provider's failure in plain data, as each backend reads it off its SDK's error. */
export interface ProviderFailure {
  status?: number;
  headers?: Headers | Record<string, string | undefined>;
  /** What the provider said; not always a string in a provider's body, so any value is read as text. */
  message: unknown;
  /** The provider's error type or code, e.g. `insufficient_quota`, `overloaded_error`. */
  code?: unknown;
}

/** Who made the call, so the message can say which agent, which model and what to do. */
export interface CallSite {
  agentId: string;
  backend: string;
  model: string;
  keyEnv?: string;
  /** The server called, shown when it cannot be reached. */
  baseURL?: string;
}

const ADVICE: Partial<Record<ModelErrorKind, (site: CallSite) => string>> = {
  auth: (s) => `Check the API key${s.keyEnv ? ` in \`${s.keyEnv}\`` : ""} (or set \`api_key_env\` for this agent).`,
  permission: (s) => `The key may not use \`${s.model}\`: check the model name and the key's project or workspace.`,
  spend_limit: () => "The account is out of credit or over its spend limit: add credit or raise the limit.",
  context_length: () => "The prompt is longer than the model's context: use a model with a larger context, or shorten the task and context.",
  bad_request: (s) => `The provider refused the request: check \`model\` (${s.model}), \`max_tokens\` and \`temperature\` for this agent.`,
  rate_limit: () => "Still rate-limited after the retries: run fewer agents at once, wait, or raise `coordination.retry`.",
  overloaded: () => "The provider is overloaded: try again later.",
  server: () => "The provider failed after the retries: try again later.",
  connection: (s) => `Could not reach ${s.baseURL ?? `the ${s.backend} server`}: check \`base_url\` and the network.`,
  stream: () => "The reply broke off mid-stream and was not used: check the network, or try again later.",
  idle_timeout: () => "Raise `coordination.timeouts.idle` for slow models, or try again later.",
  truncated: () => "The partial reply was not used: raise `max_tokens` for this agent.",
  refusal: () => "Rephrase the task, or use another model for this agent.",
  timeout: () => "Raise `coordination.timeouts.call`, or use a faster model for this agent.",
};

/** `agent \`alpha\` (openai gpt-4.1-mini)`: how every model message names its call. */
export function callName(site: Pick<CallSite, "agentId" | "backend" | "model">): string {
  return `agent \`${site.agentId}\` (${backendAndModel(site.backend, site.model)})`;
}

/**
 * A ModelApiError for `kind` whose message is `what` followed by the advice for that kind.
 * Credentials inside any URL of the message (userinfo, query values) are hidden.
 */
export function modelError(kind: ModelErrorKind, site: CallSite, what: string, options: { status?: number; cause?: unknown } = {}): ModelApiError {
  const detail = redactUrls(`${callName(site)}: ${what}`);
  const advice = ADVICE[kind] && redactUrls(ADVICE[kind](site));
  return new ModelApiError(kind, advice ? `${detail}. ${advice}` : detail, { ...options, detail });
}

/**
 * Classifies a provider failure once, for every backend (docs/architecture.md §5): 429 → rate_limit (with
 * retry-after), 529/overloaded → overloaded, 5xx → server, 401 → auth, 403 → permission,
 * 400 → context_length, spend_limit or bad_request by what it says; no status → connection.
 *
 * @example
 * classifyFailure({ status: 429, headers: { "retry-after": "2" }, message: "slow down" }, site) // RateLimitError, retryAfterMs 2000
 */
export function classifyFailure(failure: ProviderFailure, site: CallSite): ModelApiError {
  const kind = kindOf(failure);
  const status = failure.status;
  const said = describeValue(failure.message).trim().replace(/[.\s]+$/, "") || "(no message)";
  const what = `${status ? `HTTP ${status} ` : ""}${kind.replace("_", " ")}: ${said}`;
  const options = { ...(status !== undefined && { status }) };
  if (kind === "rate_limit") {
    const { message, detail } = modelError(kind, site, what);
    const retryAfterMs = retryAfter(failure.headers);
    return new RateLimitError(message, { ...options, detail, ...(retryAfterMs !== undefined && { retryAfterMs }) });
  }
  return modelError(kind, site, what, options);
}

function kindOf({ status, message, code }: ProviderFailure): ModelErrorKind {
  const text = `${describeValue(code ?? "")} ${describeValue(message)}`.toLowerCase();
  const spend = /insufficient_quota|billing|credit balance|spend limit|quota exceeded|payment/.test(text);
  const context = /context.length|context window|too long|maximum context|too many tokens|prompt is too long|request_too_large/.test(text);
  if (status === undefined) return "connection";
  if (status === 429) return spend ? "spend_limit" : "rate_limit";
  if (status === 529 || /overloaded/.test(text)) return "overloaded";
  if (status >= 500 || status === 408 || status === 409) return "server";
  if (status === 401) return "auth";
  if (status === 402 || spend) return "spend_limit";
  if (status === 403) return "permission";
  if (status === 413 || context) return "context_length";
  return "bad_request";
}

// retry-after-ms (OpenAI), then retry-after in seconds or as an HTTP date.
function retryAfter(headers: ProviderFailure["headers"]): number | undefined {
  if (!headers) return undefined;
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]) ?? undefined;
  const ms = Number(get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && get("retry-after-ms") !== undefined) return ms;
  const value = get("retry-after");
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * An SDK error's message without the status it starts with ("401 Incorrect key" → "Incorrect
 * key"), for a body that is not the provider's JSON error: the classified message adds the status.
 *
 * @example
 * withoutStatus("401 Incorrect API key provided", 401); // "Incorrect API key provided"
 */
export function withoutStatus(message: string, status: number | undefined): string {
  return status !== undefined && message.startsWith(`${status} `) ? message.slice(String(status).length + 1) : message;
}
