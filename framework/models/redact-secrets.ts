/** What is never shown, whatever the secret values: API-key shapes and credential fields. */
const KEY_SHAPES: readonly [RegExp, string][] = [
  // OpenAI, Anthropic and most gateways' keys: sk-…, sk-ant-…, sk-proj-…
  [/\bsk-[A-Za-z0-9_-]{12,}/g, "sk-***"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 ***"],
  // `"x-api-key": "…"`, `api-key=…`, `authorization: …` in logged headers and bodies.
  [/\b((?:x-)?api[-_]?key|authorization|access[-_]?token)(["']?\s*[:=]\s*["']?)((?:Bearer|Basic)\s+)?(?!\*\*\*|Bearer\b|Basic\b)[^\s"',;&}]{6,}/gi, "$1$2$3***"],
];

/**
 * Removes secrets from a message before it reaches a log, the terminal or a file: every
 * occurrence of each value in `secrets` (values under 6 characters are ignored, they would
 * mangle ordinary words), then credentials inside URLs (`redactUrls`), then anything shaped like
 * an API key. Accepts any value, so a provider's odd error body cannot break it.
 *
 * @example
 * redactSecrets("Incorrect API key provided: sk-live-0123456789abcdef", ["sk-live-0123456789abcdef"]);
 * // "Incorrect API key provided: ***"
 * redactSecrets("Could not reach https://me:hunter22@llm.example/v1", []);
 * // "Could not reach https://***@llm.example/v1"
 */
export function redactSecrets(text: unknown, secrets: readonly (string | undefined)[]): string {
  let out = typeof text === "string" ? text : describeValue(text);
  for (const secret of secrets) if (secret && secret.length >= 6) out = out.split(secret).join("***");
  out = redactUrls(out);
  for (const [pattern, replacement] of KEY_SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Hides the credentials a URL may carry in a message: the userinfo (`https://user:key@host`)
 * and every query value (`?api-key=…`), which is where gateways such as Azure take keys.
 *
 * @example
 * redactUrls("POST http://127.0.0.1:8080/v1?api-key=abc123&x=1 failed");
 * // "POST http://127.0.0.1:8080/v1?api-key=***&x=*** failed"
 */
export function redactUrls(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>`]+)/gi, (_match, scheme: string, rest: string) => {
    const hidden = rest
      .replace(/^[^/?#@]*@/, "***@")
      .replace(/([?&][^=&#\s]*=)([^&#\s]+)/g, (_m, name: string, value: string) => {
        const trail = /[.,:;)\]]+$/.exec(value)?.[0] ?? "";
        return `${name}***${trail}`;
      });
    return scheme + hidden;
  });
}

/**
 * The secret values a client must never show: its API key, and the credentials inside its
 * `base_url` (userinfo and query values, raw and percent-decoded).
 *
 * @example
 * secretsOf("sk-…", "https://me:hunter22@llm.example/v1?api-key=abc123"); // ["sk-…", "me", "hunter22", "abc123"]
 */
export function secretsOf(apiKey: string | undefined, baseURL: string | undefined): string[] {
  const secrets = apiKey ? [apiKey] : [];
  if (!baseURL) return secrets;
  try {
    const url = new URL(baseURL);
    for (const value of [url.username, url.password, ...url.searchParams.values()]) {
      if (!value) continue;
      secrets.push(value);
      try {
        const decoded = decodeURIComponent(value);
        if (decoded !== value) secrets.push(decoded);
      } catch {
        // not percent-encoded text
      }
    }
  } catch {
    // not a URL: the config check reports it
  }
  return secrets;
}

/**
 * A value of unknown shape as one readable line: a string as is, anything else as JSON (or
 * String() when it does not serialise), so `{"message": {"x": 1}}` never crashes a caller.
 *
 * @example
 * describeValue({ x: 1 }); // '{"x":1}'
 * describeValue(42);       // "42"
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
