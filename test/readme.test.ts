// The README's examples say what the code does: each test reads the README and checks one claim against the code.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../framework/runs/run.ts";
import { analyzeCommand } from "../framework/runner/analyze-command.ts";
import { main, type CliIo } from "../framework/runner/cli.ts";
import { REPO } from "./support/cli-process.ts";
import { tempDir } from "./project/temp-dir.ts";

const README = readFileSync(join(REPO, "README.md"), "utf8");

function io(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    process,
    out: () => out,
    err: () => err,
  };
}

describe("the README", () => {
  it("prints, in the run() snippet, the winner a run on configs/offline.yaml has", async () => {
    const snippet = /const result = await run\(\{ task: "([^"]+)", config: "configs\/offline\.yaml" \}\);\nconsole\.log\(result\.status, result\.winner, result\.winner_reason\); \/\/ (.+)\n/.exec(README);
    expect(snippet, "the run() snippet").not.toBeNull();
    const result = await run({ task: snippet![1]!, config: join(REPO, "configs", "offline.yaml"), runsDir: tempDir("conclave-readme-") });
    expect(`${result.status} ${result.winner} ${result.winner_reason}`).toBe(snippet![2]);
  });

  it("shows a validate example on a config made from a shipped one, and its error line is what validate prints", async () => {
    expect(README).toContain("cp configs/offline.yaml configs/team.yaml");
    const shown = /^(conclave: configs\/team\.yaml:\d+ agents\[1\]\.backend\.type: .+)$/m.exec(README)?.[1];
    expect(shown, "the error line of the validate example").toBeDefined();
    const dir = tempDir("conclave-readme-");
    mkdirSync(join(dir, "configs"));
    copyFileSync(join(REPO, "configs", "offline.yaml"), join(dir, "configs", "team.yaml"));
    const team = join(dir, "configs", "team.yaml");
    writeFileSync(team, readFileSync(team, "utf8").replace("type: scripted, latency_ms: 80", "type: foo, latency_ms: 80"));
    const captured = io();
    expect(await main(["validate", team], captured)).toBe(1);
    expect(captured.err().replace(`${dir}/`, "")).toBe(`${shown}\n`);
  });

  it("writes validate's file as optional, as the help does", async () => {
    const captured = io();
    expect(await main(["help"], captured)).toBe(0);
    expect(captured.out()).toMatch(/^ {2}validate \[file\] /m);
    expect(README).toMatch(/^npx conclave validate \[file\] /m);
  });

  it("shows, in the analyze sample, lines that `conclave analyze` prints on the circling scenario, in that order", async () => {
    const sample = /\n\$ npx conclave ask "([^"]+)" --config (\S+)\n\$ npx conclave analyze\n([\s\S]*?)```/.exec(README);
    expect(sample, "the analyze sample").not.toBeNull();
    // Run as `conclave ask` would, into .conclave/runs of a directory analyze then works in.
    const cwd = tempDir("conclave-readme-");
    const result = await run({ task: sample![1]!, config: join(REPO, sample![2]!), runsDir: join(cwd, ".conclave", "runs") });
    const captured = io();
    expect(await analyzeCommand(["latest"], captured, cwd)).toBe(0);
    // The run's id and path, and seconds, differ from run to run.
    const normal = (line: string) => line.replace(/\S*\d{8}-\d{6}-[0-9a-f]{12}/g, "<run>").replace(/\d+\.\d s\b/g, "<s>");
    const printed = captured.out().split("\n").map(normal);
    let at = 0;
    for (const line of sample![3]!.split("\n").filter((l) => l.trim() !== "…" && l !== "").map(normal)) {
      const found = printed.indexOf(line, at);
      expect(found, `README line not printed (after line ${at}): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it("and docs/ point at docs/architecture.md, never at a design file a reader of this repository does not have", () => {
    const documents = ["README.md", ...readdirSync(join(REPO, "docs")).map((name) => `docs/${name}`)];
    const citing = documents.filter((path) => /DESIGN(\.md| §)|\.\.\/shared/.test(readFileSync(join(REPO, path), "utf8")));
    expect(citing).toEqual([]);
    expect(README).toContain("[docs/architecture.md](docs/architecture.md)");
  });
});
