/**
 * The error classes of Conclave. Each has a stable `code`; subclasses exist only where a caller
 * reacts differently. Failures a caller expects (a timed-out run, a failed agent) are data in
 * the RunResult, not exceptions.
 *
 * @example
 * try { await loadConfig("configs/team.yaml") }
 * catch (e) { if (e instanceof ConfigError) console.error(e.message) }
 */
export class ConclaveError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConclaveError";
    this.code = code;
  }
}

/** A configuration, option or usage problem: the user must change something. Exit code 1. */
export class ConfigError extends ConclaveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config_error", message, options);
    this.name = "ConfigError";
  }
}

/** How a model API failure is classified, once, for every backend; `aborted` is ours, not a provider's. */
export const MODEL_ERROR_KINDS = [
  "rate_limit",
  "overloaded",
  "server",
  "connection",
  "stream",
  "idle_timeout",
  "timeout",
  "context_length",
  "refusal",
  "truncated",
  "auth",
  "permission",
  "spend_limit",
  "bad_request",
  "aborted",
] as const;

export type ModelErrorKind = (typeof MODEL_ERROR_KINDS)[number];

const RETRYABLE: ReadonlySet<ModelErrorKind> = new Set([
  "rate_limit",
  "overloaded",
  "server",
  "connection",
  "stream",
  "idle_timeout",
]);

/** A model call that failed; `kind` says how, `retryable` whether another attempt may help. */
export class ModelApiError extends ConclaveError {
  readonly kind: ModelErrorKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** What happened, without the closing advice: what a retry notice shows while retries remain. */
  readonly detail: string;
  constructor(kind: ModelErrorKind, message: string, options?: { cause?: unknown; status?: number; detail?: string }) {
    super(`model_${kind}`, message, options);
    this.name = "ModelApiError";
    this.kind = kind;
    this.detail = options?.detail ?? message;
    this.status = options?.status;
    this.retryable = RETRYABLE.has(kind);
  }
}

/** HTTP 429: retried after `retryAfterMs` when the provider says how long to wait. */
export class RateLimitError extends ModelApiError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number; retryAfterMs?: number; detail?: string }) {
    super("rate_limit", message, options);
    this.name = "RateLimitError";
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A deadline passed: a model call, a phase or a whole run. */
export class RunTimeoutError extends ConclaveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("timeout", message, options);
    this.name = "RunTimeoutError";
  }
}

/** Whether `kind` names a failure worth another attempt. */
export function isRetryableKind(kind: ModelErrorKind): boolean {
  return RETRYABLE.has(kind);
}

/** A path an agent gave leads outside its workspace (absolute, `..`, or through a symbolic link). */
export class WorkspaceEscapeError extends ConclaveError {
  /** Why the path was refused, e.g. "it leads outside the workspace". */
  readonly reason: string;
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super("workspace_escape", message, options);
    this.name = "WorkspaceEscapeError";
    this.reason = options?.reason ?? message;
  }
}
