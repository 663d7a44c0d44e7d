import { chmod, lstat, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../atomic-write.ts";
import { formatMegabytes } from "../../format-megabytes.ts";
import { notRegularFile } from "../open-regular-file.ts";
import { resolveToolPath } from "../resolve-tool-path.ts";
import { defineTool } from "./define-tool.ts";

/**
 * `write_file {path, content}`: creates or replaces a file in the workspace, creating its parent
 * directories; readers never see a half-written file. Content over `maxWriteBytes` (default
 * 10 MB) is refused, and so is a path that holds a named pipe, a socket or a device.
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
    const bytes = Buffer.byteLength(content);
    if (bytes > settings.maxWriteBytes) {
      return {
        ok: false,
        content: `Refused to write "${path}": the content is ${formatMegabytes(bytes)} (${bytes} bytes), over write_file's cap of ${formatMegabytes(settings.maxWriteBytes)} (${settings.maxWriteBytes} bytes). Nothing was written; write a smaller file, or split the content into several files.`,
      };
    }
    const before = await lstat(where.absolute).catch(() => null);
    if (before?.isDirectory()) {
      return { ok: false, content: `"${path}" is a directory; write_file needs a file path.` };
    }
    if (before && !before.isFile()) throw notRegularFile("write_file", path, before);
    await mkdir(dirname(where.absolute), { recursive: true });
    writeFileAtomic(where.absolute, content);
    if (before) await chmod(where.absolute, before.mode & 0o7777); // keep an executable script executable
    return { ok: true, content: `Wrote "${path}" (${bytes} bytes).` };
  },
});
