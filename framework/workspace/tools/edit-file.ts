import { chmod, type FileHandle } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../atomic-write.ts";
import { formatMegabytes } from "../../format-megabytes.ts";
import { openRegularFile } from "../open-regular-file.ts";
import { resolveToolPath } from "../resolve-tool-path.ts";
import { isBinary } from "../truncate-text.ts";
import { defineTool } from "./define-tool.ts";

/**
 * `edit_file {path, old, new}`: replaces the one occurrence of `old` in a workspace file with
 * `new`. Zero or several occurrences change nothing and say how many there were. Only a regular
 * file is edited: a named pipe, socket or device is refused without being read, and so is a
 * file (or a result) over `maxWriteBytes`.
 *
 * @example
 * await editFileTool.run({ path: "a.md", old: "teh", new: "the" }, settings);
 * // { ok: true, content: 'Edited "a.md": replaced 1 occurrence.' }
 */
export const editFileTool = defineTool({
  name: "edit_file",
  description:
    "Replace exactly one occurrence of `old` with `new` in a file of your workspace. Include enough surrounding text in `old` to make it unique.",
  args: z.strictObject({
    path: z.string().min(1).describe("The file, relative to your workspace."),
    old: z.string().min(1, "must not be empty").describe("The exact text to replace, whitespace included."),
    new: z.string().describe("The replacement text."),
  }),
  async run(args, settings) {
    const where = resolveToolPath(settings, args.path, "write");
    const handle = await openRegularFile(where.absolute, { tool: "edit_file", shown: args.path });
    const { data, mode } = await readCapped(handle, settings.maxWriteBytes).finally(() => handle.close());
    if (data === undefined) {
      return {
        ok: false,
        content: `"${args.path}" is over edit_file's cap of ${formatMegabytes(settings.maxWriteBytes)} (${settings.maxWriteBytes} bytes); nothing was changed. Edit a smaller file, or split this one with run_command where it is allowed.`,
      };
    }
    if (isBinary(data)) return { ok: false, content: `"${args.path}" is a binary file; edit_file edits text files only.` };
    const text = data.toString("utf8");
    const count = text.split(args.old).length - 1;
    if (count === 0) {
      return {
        ok: false,
        content: `Found 0 occurrences of \`old\` in "${args.path}"; nothing was changed. Copy the exact text, whitespace included, from read_file.`,
      };
    }
    if (count > 1) {
      return {
        ok: false,
        content: `Found ${count} occurrences of \`old\` in "${args.path}"; it must occur exactly once, and nothing was changed. Include more surrounding text to make it unique.`,
      };
    }
    const at = text.indexOf(args.old);
    const bytes = Buffer.byteLength(text) - Buffer.byteLength(args.old) + Buffer.byteLength(args.new);
    if (bytes > settings.maxWriteBytes) {
      return {
        ok: false,
        content: `Refused to edit "${args.path}": the result would be ${formatMegabytes(bytes)} (${bytes} bytes), over edit_file's cap of ${formatMegabytes(settings.maxWriteBytes)} (${settings.maxWriteBytes} bytes). Nothing was changed.`,
      };
    }
    writeFileAtomic(where.absolute, text.slice(0, at) + args.new + text.slice(at + args.old.length));
    await chmod(where.absolute, mode & 0o7777);
    return { ok: true, content: `Edited "${args.path}": replaced 1 occurrence.` };
  },
});

// The file's bytes and mode, or no bytes when it is larger than `cap` (never read whole then).
async function readCapped(handle: FileHandle, cap: number): Promise<{ data: Buffer | undefined; mode: number }> {
  const { size, mode } = await handle.stat();
  return { data: size > cap ? undefined : await handle.readFile(), mode };
}
