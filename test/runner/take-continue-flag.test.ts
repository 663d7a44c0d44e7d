import { describe, expect, it } from "vitest";
import { takeContinueFlag } from "../../framework/runner/take-continue-flag.ts";

describe("takeContinueFlag()", () => {
  it("leaves arguments without --continue as they are", () => {
    expect(takeContinueFlag(["Why?", "--dry-run"])).toEqual({ args: ["Why?", "--dry-run"], session: undefined });
  });

  it("takes latest, or a session id, after --continue", () => {
    expect(takeContinueFlag(["--continue", "latest", "Why?"])).toEqual({ args: ["Why?"], session: "latest" });
    expect(takeContinueFlag(["Why?", "--continue", "20261202-091500-3fa9c1"])).toEqual({ args: ["Why?"], session: "20261202-091500-3fa9c1" });
    expect(takeContinueFlag(["Why?", "--continue=20261202-091500-3fa9c1"])).toEqual({ args: ["Why?"], session: "20261202-091500-3fa9c1" });
  });

  it("means latest when the word after it is the task, a flag, or nothing", () => {
    expect(takeContinueFlag(["--continue", "What next?", "--dry-run"])).toEqual({ args: ["What next?", "--dry-run"], session: "latest" });
    expect(takeContinueFlag(["--continue", "--dry-run", "What next?"])).toEqual({ args: ["--dry-run", "What next?"], session: "latest" });
    expect(takeContinueFlag(["What next?", "--continue"])).toEqual({ args: ["What next?"], session: "latest" });
  });

  it("leaves what follows `--` alone", () => {
    expect(takeContinueFlag(["--", "--continue"])).toEqual({ args: ["--", "--continue"], session: undefined });
  });

  it("refuses a second --continue, and a value after = that is neither latest nor an id", () => {
    expect(() => takeContinueFlag(["--continue", "--continue"])).toThrow("`--continue` is given twice: pass it once, with a session id or `latest` (the default).");
    expect(() => takeContinueFlag(["--continue=yesterday"])).toThrow('`--continue` takes a session id (such as 20261202-091500-3fa9c1) or `latest`, got "yesterday". Run `conclave sessions` to see the ids.');
  });
});
