import { z } from "zod";
import { openRegularFile } from "../open-regular-file.ts";
import { resolveToolPath } from "../resolve-tool-path.ts";
import { isBinary, utf8Prefix } from "../truncate-text.ts";
import { defineTool } from "./define-tool.ts";

/**
 * `read_file {path}`: a text file of the workspace or of a view (`@B/…`), at most
 * `maxOutputBytes` of it, saying so when the rest was left out. A named pipe, socket or device is
 * refused, never opened for a blocking read.
 *
 * @example
 * await readFileTool.run({ path: "notes.md" }, settings); // { ok: true, content: "# Notes\n…" }
 */
export const readFileTool = defineTool({
  name: "read_file",
  description:
    "Read a text file. Paths are relative to your workspace; another agent's workspace is readable as @<label>/<path>.",
  args: z.strictObject({ path: z.string().min(1).describe('The file, e.g. "deliverables/plan.md".') }),
  async run({ path }, settings) {
    const where = resolveToolPath(settings, path, "read");
    const handle = await openRegularFile(where.absolute, { tool: "read_file", shown: path });
    try {
      const { size } = await handle.stat();
      // A few bytes more than the cap, to see whether the cut falls inside a character.
      const want = Math.min(size, settings.maxOutputBytes + 4);
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buffer, 0, want, 0);
      const data = buffer.subarray(0, bytesRead);
      if (isBinary(data)) {
        return { ok: false, content: `"${path}" is a binary file (${size} bytes); read_file shows text files only.` };
      }
      if (size === 0) return { ok: true, content: "(empty file)" };
      if (size <= settings.maxOutputBytes) return { ok: true, content: data.toString("utf8") };
      const shown = utf8Prefix(data, settings.maxOutputBytes);
      return {
        ok: true,
        content: `${shown.toString("utf8")}\n[truncated: showing the first ${shown.length} of ${size} bytes of "${path}"]`,
      };
    } finally {
      await handle.close();
    }
  },
});
