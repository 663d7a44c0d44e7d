import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { commandEnv } from "../../../framework/workspace/sandbox/command-env.ts";

describe("commandEnv()", () => {
  it("keeps only PATH, HOME (the workspace), LANG, TERM, TZ and the names passed", () => {
    const base = { PATH: `${dirname(process.execPath)}:/bin`, HOME: "/root", LANG: "C.UTF-8", TERM: "xterm", TZ: "UTC", OPENAI_API_KEY: "sk", GITHUB_TOKEN: "t", CI: "1", OTHER: "x" };
    expect(commandEnv(base, { home: "/ws", pass: ["CI", "NOT_SET"] })).toEqual({ PATH: base.PATH, HOME: "/ws", LANG: "C.UTF-8", TERM: "xterm", TZ: "UTC", CI: "1" });
  });

  it("passes a secret only when it is named, and never lets `pass` replace PATH or HOME", () => {
    const base = { PATH: `${dirname(process.execPath)}:/bin`, HOME: "/root", GITHUB_TOKEN: "t" };
    expect(commandEnv(base, { home: "/ws", pass: ["GITHUB_TOKEN", "HOME", "PATH"] })).toEqual({ PATH: base.PATH, HOME: "/ws", GITHUB_TOKEN: "t" });
  });

  it("puts the prefix and Node's own directory on PATH, once each", () => {
    const node = dirname(process.execPath);
    expect(commandEnv({ PATH: "/opt/x:/bin" }, { home: "/ws", pathPrefix: ["/tmp/.conclave/bin"] }).PATH).toBe(
      [...new Set(["/tmp/.conclave/bin", node, "/opt/x", "/bin"])].join(":"),
    );
  });
});
