import { describe, expect, it } from "vitest";
import { describeValue, redactSecrets, redactUrls, secretsOf } from "../../framework/models/redact-secrets.ts";
import { createScrubbingLogger } from "../../framework/models/scrubbing-logger.ts";

describe("redactSecrets()", () => {
  it("replaces every occurrence of each secret value, and ignores values too short to be keys", () => {
    expect(redactSecrets("key abcdef123 then abcdef123 again", ["abcdef123", "abc", undefined])).toBe("key *** then *** again");
  });

  it("hides key shapes and credential fields whatever the secret values", () => {
    expect(redactSecrets("Incorrect API key provided: sk-proj-0123456789abcdefXYZ.", [])).toBe("Incorrect API key provided: sk-***.");
    expect(redactSecrets("authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload", [])).toBe("authorization: Bearer ***");
    expect(redactSecrets("a token Bearer eyJhbGciOiJIUzI1NiJ9 in text", [])).toBe("a token Bearer *** in text");
    expect(redactSecrets(`{"x-api-key":"live-0123456789","model":"m"}`, [])).toBe(`{"x-api-key":"***","model":"m"}`);
  });

  it("reads any value as text, so an odd error body cannot break it", () => {
    expect(redactSecrets({ message: { x: 1 } }, [])).toBe('{"message":{"x":1}}');
    expect(redactSecrets(42, [])).toBe("42");
  });
});

describe("redactUrls()", () => {
  it("hides a URL's userinfo and its query values, keeping the rest and the sentence around it", () => {
    expect(redactUrls("Could not reach https://me:hunter22@llm.example/v1: check `base_url`.")).toBe("Could not reach https://***@llm.example/v1: check `base_url`.");
    expect(redactUrls("POST http://127.0.0.1:8080/v1?api-key=abc123&api-version=2024-10-01: failed")).toBe(
      "POST http://127.0.0.1:8080/v1?api-key=***&api-version=***: failed",
    );
    expect(redactUrls("no url here")).toBe("no url here");
  });
});

describe("secretsOf()", () => {
  it("lists the key and the credentials inside base_url, raw and decoded", () => {
    expect(secretsOf("sk-key-123456", "https://me:hunter%2122@llm.example/v1?api-key=abc123")).toEqual(["sk-key-123456", "me", "hunter%2122", "hunter!22", "abc123"]);
    expect(secretsOf(undefined, "not a url")).toEqual([]);
  });
});

describe("describeValue()", () => {
  it("gives a string as is and anything else as JSON", () => {
    expect(describeValue("text")).toBe("text");
    expect(describeValue({ x: 1 })).toBe('{"x":1}');
    expect(describeValue(undefined)).toBe("");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe("[object Object]");
  });
});

describe("createScrubbingLogger()", () => {
  it("writes one scrubbed line per call, with the SDK's details formatted", () => {
    const lines: string[] = [];
    const logger = createScrubbingLogger("openai", ["canary-0123456789"], (line) => lines.push(line));
    logger.debug("[log_1] response error", { status: 401, body: "Incorrect API key provided: canary-0123456789", url: "http://u:canary-0123456789@h/v1?k=v" });
    logger.warn("plain");
    expect(lines).toEqual([
      "openai debug: [log_1] response error { status: 401, body: 'Incorrect API key provided: ***', url: 'http://***@h/v1?k=***' }\n",
      "openai warn: plain\n",
    ]);
  });
});
