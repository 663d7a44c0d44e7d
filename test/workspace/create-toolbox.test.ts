import { execFileSync } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../framework/errors.ts";
import { createToolbox } from "../../framework/workspace/create-toolbox.ts";
import type { HumanQuery } from "../../framework/workspace/human-query.ts";
import { NOBODY_AVAILABLE } from "../../framework/workspace/tools/ask-human.ts";
import { readTree, tempDir, writeTree } from "./temp-tree.ts";

describe("createToolbox()", () => {
  it("offers the file tools with JSON Schema parameters, and no write tools when not writable", () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true });
    const read = tools.specs.find((s) => s.name === "read_file");
    expect(read?.parameters).toMatchObject({ type: "object", required: ["path"], additionalProperties: false });
    const readOnly = createToolbox({ root, writable: false });
    expect(readOnly.specs.map((s) => s.name)).toEqual(["read_file", "list_files", "search_files", "ask_human"]);
    expect(readOnly.has("write_file")).toBe(false);
  });

  it("validates its options when created, naming the bad one", () => {
    expect(() => createToolbox({ root: "relative/ws", writable: true })).toThrow(ConfigError);
    expect(() => createToolbox({ root: "relative/ws", writable: true, commandTimeoutMs: -1 })).toThrow(
      'createToolbox: invalid options: `root` must be an absolute path (received "relative/ws"); `commandTimeoutMs` Too small: expected number to be >0 (received -1).',
    );
  });

  it("answers bad arguments with a message naming each one", async () => {
    const tools = createToolbox({ root: tempDir(), writable: true });
    expect(await tools.call("write_file", { path: "a.md" })).toEqual({
      ok: false,
      content: "Invalid arguments for write_file: `content`: Invalid input: expected string, received undefined.",
    });
  });
});

describe("read_file, write_file and list_files", () => {
  it("writes a file, creating its parent directories, and reads it back", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true });
    expect(await tools.call("write_file", { path: "deliverables/new/plan.md", content: "# Plan\n" })).toEqual({
      ok: true,
      content: 'Wrote "deliverables/new/plan.md" (7 bytes).',
    });
    expect(readFileSync(join(root, "deliverables/new/plan.md"), "utf8")).toBe("# Plan\n");
    expect(await tools.call("read_file", { path: "deliverables/new/plan.md" })).toEqual({ ok: true, content: "# Plan\n" });
    expect(readdirSync(join(root, "deliverables/new"))).toEqual(["plan.md"]);
  });

  it("keeps an executable file executable when it is rewritten", async () => {
    const root = tempDir();
    writeTree(root, { "run.sh": { content: "#!/bin/sh\n", executable: true } });
    const tools = createToolbox({ root, writable: true });
    await tools.call("write_file", { path: "run.sh", content: "#!/bin/sh\necho hi\n" });
    expect(statSync(join(root, "run.sh")).mode & 0o777).toBe(0o755);
  });

  it("says what is wrong with a missing file, a directory, a binary file and an empty one", async () => {
    const root = tempDir();
    writeTree(root, { "dir/": "", "empty.txt": "" });
    writeFileSync(join(root, "image.png"), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    const tools = createToolbox({ root, writable: true });
    expect(await tools.call("read_file", { path: "nope.md" })).toEqual({
      ok: false,
      content: 'No such file or directory: "nope.md". Use list_files to see what exists.',
    });
    expect(await tools.call("read_file", { path: "dir" })).toEqual({
      ok: false,
      content: '"dir" is a directory, not a file. Use list_files to see what it holds.',
    });
    expect(await tools.call("read_file", { path: "image.png" })).toEqual({
      ok: false,
      content: '"image.png" is a binary file (4 bytes); read_file shows text files only.',
    });
    expect(await tools.call("read_file", { path: "empty.txt" })).toEqual({ ok: true, content: "(empty file)" });
    expect(await tools.call("write_file", { path: "dir", content: "x" })).toEqual({
      ok: false,
      content: '"dir" is a directory; write_file needs a file path.',
    });
    expect(await tools.call("write_file", { path: "empty.txt/x.md", content: "x" })).toEqual({
      ok: false,
      content:
        'Cannot create "empty.txt/x.md": a file stands where a directory is needed, or the other way round. Use list_files to see what exists.',
    });
    expect(await tools.call("write_file", { path: "empty.txt/sub/x.md", content: "x" })).toEqual({
      ok: false,
      content: '"empty.txt/sub/x.md" goes through a file as if it were a directory. Use list_files to see what exists.',
    });
  });

  it("reads at most maxOutputBytes of a file and says how much was left out", async () => {
    const root = tempDir();
    writeTree(root, { "big.txt": "é".repeat(400) }); // 800 bytes
    const tools = createToolbox({ root, writable: false, maxOutputBytes: 301 });
    const result = await tools.call("read_file", { path: "big.txt" });
    expect(result).toEqual({
      ok: true,
      content: `${"é".repeat(150)}\n[truncated: showing the first 300 of 800 bytes of "big.txt"]`,
    });
  });

  it("lists files recursively with relative paths, directories ending in /", async () => {
    const root = tempDir();
    writeTree(root, { "b.md": "", "a/x.ts": "", "a/sub/": "" });
    symlinkSync("/etc", join(root, "link"));
    const tools = createToolbox({ root, writable: false });
    expect(await tools.call("list_files", {})).toEqual({
      ok: true,
      content: "a/\na/sub/\na/x.ts\nb.md\nlink (symbolic link, not followed)",
    });
    expect(await tools.call("list_files", { path: "a" })).toEqual({ ok: true, content: "a/sub/\na/x.ts" });
    expect(await tools.call("list_files", { path: "a/sub" })).toEqual({ ok: true, content: '"a/sub" is empty.' });
  });

  it("lists at most 2000 entries and says so", async () => {
    const root = tempDir();
    const many: Record<string, string> = {};
    for (let i = 0; i < 2100; i++) many[`f/${String(i).padStart(4, "0")}.txt`] = "";
    writeTree(root, many);
    const tools = createToolbox({ root, writable: false, maxOutputBytes: 1024 * 1024 });
    const lines = (await tools.call("list_files", {})).content.split("\n");
    expect(lines).toHaveLength(2001);
    expect(lines[1999]).toBe("f/1998.txt");
    expect(lines[2000]).toBe('[truncated: more entries than shown under "."; list a subdirectory]');
  });
});

describe("edit_file", () => {
  it("replaces the one occurrence of `old`", async () => {
    const root = tempDir();
    writeTree(root, { "a.md": "one $& two\n" });
    const tools = createToolbox({ root, writable: true });
    expect(await tools.call("edit_file", { path: "a.md", old: "two", new: "2 $1" })).toEqual({
      ok: true,
      content: 'Edited "a.md": replaced 1 occurrence.',
    });
    expect(readFileSync(join(root, "a.md"), "utf8")).toBe("one $& 2 $1\n");
  });

  it("changes nothing when `old` occurs 0 times or twice, and says how many", async () => {
    const root = tempDir();
    writeTree(root, { "a.md": "cat cat dog\n" });
    const tools = createToolbox({ root, writable: true });
    expect(await tools.call("edit_file", { path: "a.md", old: "bird", new: "x" })).toEqual({
      ok: false,
      content:
        'Found 0 occurrences of `old` in "a.md"; nothing was changed. Copy the exact text, whitespace included, from read_file.',
    });
    expect(await tools.call("edit_file", { path: "a.md", old: "cat", new: "x" })).toEqual({
      ok: false,
      content:
        'Found 2 occurrences of `old` in "a.md"; it must occur exactly once, and nothing was changed. Include more surrounding text to make it unique.',
    });
    expect(readFileSync(join(root, "a.md"), "utf8")).toBe("cat cat dog\n");
  });
});

describe("search_files", () => {
  it("finds a substring or a /regex/ and answers file:line: text", async () => {
    const root = tempDir();
    writeTree(root, { "src/a.ts": "const a = 1;\n// TODO: b\n", "notes.md": "todo later\n" });
    writeFileSync(join(root, "bin.dat"), Buffer.from("TODO\0"));
    const tools = createToolbox({ root, writable: false });
    expect(await tools.call("search_files", { pattern: "TODO" })).toEqual({ ok: true, content: "src/a.ts:2: // TODO: b" });
    expect(await tools.call("search_files", { pattern: "/todo|const/i" })).toEqual({
      ok: true,
      content: "notes.md:1: todo later\nsrc/a.ts:1: const a = 1;\nsrc/a.ts:2: // TODO: b",
    });
    expect(await tools.call("search_files", { pattern: "const", path: "notes.md" })).toEqual({
      ok: true,
      content: 'No matches for "const" in "notes.md".',
    });
    expect(await tools.call("search_files", { pattern: "/(/" })).toEqual({
      ok: false,
      content:
        "Invalid regular expression /(/: Invalid regular expression: /(/: Unterminated group. Write a plain substring, or a JavaScript regex between slashes.",
    });
  });

  it("stops after 200 matches and says so", async () => {
    const root = tempDir();
    writeTree(root, { "many.txt": "hit\n".repeat(300) });
    const lines = (await createToolbox({ root, writable: false }).call("search_files", { pattern: "hit" })).content.split("\n");
    expect(lines).toHaveLength(201);
    expect(lines[199]).toBe("many.txt:200: hit");
    expect(lines[200]).toBe("[truncated: stopped after 200 matches; narrow the pattern or the path]");
  });
});

describe("read-only views", () => {
  function twoAgents() {
    const a = tempDir();
    const b = tempDir();
    writeTree(b, { "deliverables/plan.md": "B's plan\n" });
    const tools = createToolbox({ root: a, writable: true, views: { B: b } });
    return { a, b, tools };
  }

  it("reads, lists and searches another agent's workspace as @B/<path>", async () => {
    const { tools } = twoAgents();
    expect(await tools.call("read_file", { path: "@B/deliverables/plan.md" })).toEqual({ ok: true, content: "B's plan\n" });
    expect(await tools.call("list_files", { path: "@B" })).toEqual({
      ok: true,
      content: "@B/deliverables/\n@B/deliverables/plan.md",
    });
    expect(await tools.call("search_files", { pattern: "plan", path: "@B/" })).toEqual({
      ok: true,
      content: "@B/deliverables/plan.md:1: B's plan",
    });
  });

  it("refuses writes and edits to a view, and leaves it unchanged", async () => {
    const { b, tools } = twoAgents();
    const before = readTree(b);
    expect(await tools.call("write_file", { path: "@B/deliverables/plan.md", content: "mine" })).toEqual({
      ok: false,
      content:
        'Refused path "@B/deliverables/plan.md": "@B" is another agent\'s workspace, which is read-only. Write inside your own workspace, e.g. "deliverables/plan.md".',
    });
    expect((await tools.call("edit_file", { path: "@B/deliverables/plan.md", old: "B", new: "A" })).ok).toBe(false);
    expect((await tools.call("read_file", { path: "@B/../escape.md" })).content).toBe(
      'Refused path "../escape.md": it leads outside the workspace. Paths are relative to the workspace root, e.g. "notes/plan.md".',
    );
    expect(readTree(b)).toEqual(before);
  });
});

describe("ask_human", () => {
  it("returns the human's answer", async () => {
    const asked: HumanQuery[] = [];
    const tools = createToolbox({
      root: tempDir(),
      writable: false,
      askHuman: async (query) => {
        asked.push(query);
        return "Use port 8080.";
      },
    });
    expect(await tools.call("ask_human", { question: "Which port?" })).toEqual({ ok: true, content: "Use port 8080." });
    expect(asked).toEqual([{ question: "Which port?" }]);
  });

  it("passes the options and the context to askHuman, trimmed, and returns the option picked", async () => {
    const asked: HumanQuery[] = [];
    const tools = createToolbox({
      root: tempDir(),
      writable: false,
      askHuman: async (query) => (asked.push(query), query.options![1]!),
    });
    expect(await tools.call("ask_human", { question: "Which port?", options: [" 8080", "9090 "], context: "The proxy listens on 80." })).toEqual({ ok: true, content: "9090" });
    expect(asked).toEqual([{ question: "Which port?", options: ["8080", "9090"], context: "The proxy listens on 80." }]);
  });

  it("refuses empty options and more than ten, naming the field, without asking", async () => {
    const asked: HumanQuery[] = [];
    const tools = createToolbox({ root: tempDir(), writable: false, askHuman: async (query) => (asked.push(query), "yes") });
    expect(await tools.call("ask_human", { question: "Which port?", options: ["8080", "  "] })).toEqual({
      ok: false,
      content: "Invalid arguments for ask_human: `options.1`: each option must be non-empty text.",
    });
    expect(await tools.call("ask_human", { question: "Which port?", options: [] })).toEqual({
      ok: false,
      content: "Invalid arguments for ask_human: `options`: give at least one option, or leave `options` out.",
    });
    expect(await tools.call("ask_human", { question: "Which port?", options: Array.from({ length: 11 }, (_, i) => String(8080 + i)) })).toEqual({
      ok: false,
      content: "Invalid arguments for ask_human: `options`: at most 10 options: offer the likeliest, the person may still answer in their own words.",
    });
    expect(await tools.call("ask_human", { question: "Which port?", options: "8080" })).toMatchObject({ ok: false, content: expect.stringMatching(/^Invalid arguments for ask_human: `options`: /) });
    expect(asked).toEqual([]);
  });

  it("tells the agent to state its assumption when nobody is there", async () => {
    const nobody = createToolbox({ root: tempDir(), writable: false, askHuman: async () => null });
    const noHook = createToolbox({ root: tempDir(), writable: false });
    const expected = { ok: true, content: "Nobody is available to answer. State your assumption in your answer and carry on." };
    expect(await nobody.call("ask_human", { question: "Which port?" })).toEqual(expected);
    expect(await noHook.call("ask_human", { question: "Which port?" })).toEqual(expected);
    expect(expected.content).toBe(NOBODY_AVAILABLE);
  });
});

describe("tools that never block the event loop", () => {
  const slowLine = `${"a".repeat(30)}!\n`; // /^(a+)+$/ backtracks 2^30 times on it

  it("stops a catastrophic regex after searchTimeoutMs, while timers keep firing on time", async () => {
    const root = tempDir();
    writeTree(root, { "slow.txt": slowLine });
    const tools = createToolbox({ root, writable: false, searchTimeoutMs: 1500 });
    const started = Date.now();
    const ticks: number[] = [];
    const ticker = setInterval(() => ticks.push(Date.now()), 100);
    const result = await tools.call("search_files", { pattern: "/^(a+)+$/" }).finally(() => clearInterval(ticker));
    expect(result).toEqual({
      ok: false,
      content:
        "search_files stopped after 1.5 s: the pattern /^(a+)+$/ is too slow on these files (a regex like /(a+)+$/ can take exponential time). Search for a plain substring, simplify the regex, or narrow the path.",
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(4000);
    // The main thread stayed free: a 100 ms timer ticked all along, never a second late (blocked, it would wait for the whole search).
    expect(ticks.length).toBeGreaterThanOrEqual(8);
    const gaps = ticks.map((t, i) => t - (i === 0 ? started : ticks[i - 1]!));
    expect(Math.max(...gaps)).toBeLessThan(1000);
  });

  it("stops the search at once when the turn's AbortSignal fires", async () => {
    const root = tempDir();
    writeTree(root, { "slow.txt": slowLine });
    const tools = createToolbox({ root, writable: false, searchTimeoutMs: 60_000 });
    const controller = new AbortController();
    const abortAt = Date.now() + 200;
    setTimeout(() => controller.abort(), 200);
    expect(await tools.call("search_files", { pattern: "/^(a+)+$/" }, controller.signal)).toEqual({ ok: false, content: "search_files was cancelled." });
    expect(Date.now() - abortAt).toBeLessThan(500);
  });

  it("refuses a named pipe in read_file, edit_file, write_file and search_files without ever blocking on it", async () => {
    const root = tempDir();
    writeTree(root, { "a.md": "alpha\n" });
    execFileSync("mkfifo", [join(root, "pipe")]);
    const tools = createToolbox({ root, writable: true });
    const refused = (tool: string) => ({ ok: false, content: `"pipe" is a named pipe (FIFO), not a regular file; ${tool} works on regular files only.` });
    expect(await tools.call("read_file", { path: "pipe" })).toEqual(refused("read_file"));
    expect(await tools.call("edit_file", { path: "pipe", old: "a", new: "b" })).toEqual(refused("edit_file"));
    expect(await tools.call("write_file", { path: "pipe", content: "x" })).toEqual(refused("write_file"));
    expect(await tools.call("search_files", { pattern: "a", path: "pipe" })).toEqual(refused("search_files"));
    // A whole-tree search and the listing pass over it; it is still a pipe afterwards.
    expect(await tools.call("search_files", { pattern: "alpha" })).toEqual({ ok: true, content: "a.md:1: alpha" });
    expect(await tools.call("list_files", {})).toEqual({ ok: true, content: "a.md\npipe (not a regular file)" });
    expect(lstatSync(join(root, "pipe")).isFIFO()).toBe(true);
  });

  it("refuses write_file content over maxWriteBytes, naming the size and the cap, and writes nothing", async () => {
    const root = tempDir();
    const tools = createToolbox({ root, writable: true });
    expect(await tools.call("write_file", { path: "big.txt", content: "x".repeat(12_345_678) })).toEqual({
      ok: false,
      content:
        'Refused to write "big.txt": the content is 12.3 MB (12345678 bytes), over write_file\'s cap of 10 MB (10000000 bytes). Nothing was written; write a smaller file, or split the content into several files.',
    });
    expect(readdirSync(root)).toEqual([]);
    const small = createToolbox({ root, writable: true, maxWriteBytes: 1000 });
    expect(await small.call("write_file", { path: "ok.txt", content: "x".repeat(1000) })).toEqual({ ok: true, content: 'Wrote "ok.txt" (1000 bytes).' });
  });

  it("refuses edit_file on a file, or to a result, over maxWriteBytes, and changes nothing", async () => {
    const root = tempDir();
    writeTree(root, { "big.txt": "x".repeat(2_000), "small.txt": "one two\n" });
    const tools = createToolbox({ root, writable: true, maxWriteBytes: 1_000 });
    expect(await tools.call("edit_file", { path: "big.txt", old: "x", new: "y" })).toEqual({
      ok: false,
      content: '"big.txt" is over edit_file\'s cap of 0.001 MB (1000 bytes); nothing was changed. Edit a smaller file, or split this one with run_command where it is allowed.',
    });
    expect(await tools.call("edit_file", { path: "small.txt", old: "two", new: "z".repeat(1_000) })).toEqual({
      ok: false,
      content: 'Refused to edit "small.txt": the result would be 0.001 MB (1005 bytes), over edit_file\'s cap of 0.001 MB (1000 bytes). Nothing was changed.',
    });
    expect(readTree(root)).toEqual({ "big.txt": "x".repeat(2_000), "small.txt": "one two\n" });
  });

  it("says which files search_files skipped for their size", async () => {
    const root = tempDir();
    writeTree(root, { "a.md": "needle\n", "big/one.log": `needle\n${"x".repeat(2_000_001)}`, "big/two.log": "y".repeat(2_000_001) });
    const tools = createToolbox({ root, writable: false });
    const note = '[skipped 2 files over search_files\' size limit of 2 MB, not searched: "big/one.log", "big/two.log"; search them with run_command (grep), where it is allowed]';
    expect(await tools.call("search_files", { pattern: "needle" })).toEqual({ ok: true, content: `a.md:1: needle\n${note}` });
    expect(await tools.call("search_files", { pattern: "nothing", path: "big" })).toEqual({ ok: true, content: `No matches for "nothing" in "big".\n${note}` });
  });
});
