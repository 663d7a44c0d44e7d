import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { terminalAskHuman } from "../../framework/runner/terminal-ask-human.ts";

// The terminal's answer to agents' ask_human in workflows and `conclave ask`, over streams that say they are a terminal.
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true }) as unknown as NodeJS.ReadStream;
  const output = new PassThrough() as unknown as NodeJS.WriteStream;
  let shown = "";
  output.on("data", (chunk: Buffer) => (shown += String(chunk)));
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} in:\n${shown}`)), 5_000);
      const check = () => shown.includes(text) && (clearTimeout(timer), output.off("data", check), resolve());
      output.on("data", check);
      check();
    });
  return { input, output, shown: () => shown, waitFor, type: (text: string) => (input as unknown as PassThrough).write(text) };
}

describe("terminalAskHuman()", () => {
  it("asks one question at a time, its context and options numbered: a number answers with that option's text, other text as typed", async () => {
    const t = terminal();
    const ask = terminalAskHuman(t.input, t.output);
    const first = ask({ question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." });
    const second = ask({ question: "Which database?" });
    await t.waitFor("(a number or your own words) > ");
    expect(t.shown()).toBe("\nAn agent asks: Which port?\n  The proxy listens on 80.\n  1. 8080\n  2. 9090\n(a number or your own words) > ");
    t.type("2\n");
    expect(await first).toBe("9090");
    await t.waitFor("Which database?\n> ");
    t.type("Postgres\n");
    expect(await second).toBe("Postgres");
  });

  it("answers null when stdin is not a terminal, and when Enter is pressed", async () => {
    const t = terminal();
    expect(await terminalAskHuman(new PassThrough() as unknown as NodeJS.ReadStream, t.output)({ question: "Which port?" })).toBeNull();
    const answer = terminalAskHuman(t.input, t.output)({ question: "Which port?", options: ["8080"] });
    await t.waitFor("> ");
    t.type("\n");
    expect(await answer).toBeNull();
  });
});
