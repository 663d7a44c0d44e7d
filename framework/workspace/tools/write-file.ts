import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../atomic-write.ts";
import { resolveToolPath } from "../resolve-tool-path.ts";
import { defineTool } from "./define-tool.ts";

/**
 * `write_file {path, content}`: creates or replaces a file in the workspace, creating its parent
 * directories; readers never see a half-written file.
 *
 * @example
 * await writeFileTool.run({ path: "src/a.ts", content: "export {};\n" }, settings);
 * // { ok: true, content: 'Wrote "src/a.ts" (11 bytes).' }
 */
export const writeFileTool = defineTool({
  name: "write_file",
  description: "Create or replace a file in your workspace with the given content; parent directories are created.",
  args: z.strictObject({
    path: z.string().min(1).describe('The file, relative to your workspace, e.g. "deliverables/plan.md".'),
    content: z.string().describe("The complete new content of the file."),
  }),
  async run({ path, content }, settings) {
    const where = resolveToolPath(settings, path, "write");
    const before = await stat(where.absolute).catch(() => null);
    if (before?.isDirectory()) {
      return { ok: false, content: `"${path}" is a directory; write_file needs a file path.` };
    }
    await mkdir(dirname(where.absolute), { recursive: true });
    writeFileAtomic(where.absolute, content);
    if (before) await chmod(where.absolute, before.mode & 0o7777); // keep an executable script executable
    return { ok: true, content: `Wrote "${path}" (${Buffer.byteLength(content)} bytes).` };
  },
});
