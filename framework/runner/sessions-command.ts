import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../atomic-write.ts";
import { ConfigError } from "../errors.ts";
import { EXPORT_FORMATS, exportSession, type ExportFormat } from "../session/export-session.ts";
import { importSession } from "../session/import-session.ts";
import { listSessions } from "../session/list-sessions.ts";
import { searchSessions } from "../session/search-sessions.ts";
import { isSessionId } from "../session/new-session-id.ts";
import { sessionsDirFor } from "../session/sessions-dir-for.ts";
import { clip } from "./clip.ts";
import { SESSIONS_HELP } from "./command-help.ts";
import type { CommandIo } from "./command-io.ts";
import { EXIT } from "./exit-codes.ts";
import { formatTable } from "./format-table.ts";
import { formatUsd } from "./format-usd.ts";
import { parseCommandArgs } from "./parse-command-args.ts";

const SUBCOMMANDS = ["export", "import", "search"] as const;

/**
 * `conclave sessions [export|import|search] …`: lists, exports, imports and searches the sessions
 * of a project (--project, then `CONCLAVE_PROJECT` from `io.env`) or of ./.conclave/sessions.
 * Returns the exit code; usage problems, unknown sessions and bad files are ConfigErrors (exit 1).
 *
 * @example
 * process.exitCode = await sessionsCommand(["export", "latest", "--format", "md"], { stdout: process.stdout, env: process.env });
 */
export async function sessionsCommand(args: string[], io: CommandIo, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs("sessions", args, {
    project: { type: "string" },
    json: { type: "boolean" },
    format: { type: "string" },
    out: { type: "string" },
  });
  if (values.help) {
    io.stdout.write(SESSIONS_HELP);
    return EXIT.ok;
  }
  const [sub, ...rest] = positionals;
  if (sub !== undefined && !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new ConfigError(`unknown subcommand \`${sub}\` of \`conclave sessions\`: expected export, import or search, or none to list the sessions. Run \`conclave sessions --help\`.`);
  }
  const onlyFor = (flag: string, subs: (string | undefined)[]) => {
    if (values[flag as keyof typeof values] !== undefined && !subs.includes(sub)) {
      throw new ConfigError(`\`--${flag}\` is for ${subs.map((s) => `\`conclave sessions${s ? ` ${s}` : ""}\``).join(" and ")}, not \`conclave sessions${sub ? ` ${sub}` : ""}\`. Run \`conclave sessions --help\`.`);
    }
  };
  onlyFor("json", [undefined, "search"]);
  onlyFor("format", ["export"]);
  onlyFor("out", ["export"]);
  // The project as `conclave chat` takes it: --project, then $CONCLAVE_PROJECT.
  const project = values.project ?? (io.env.CONCLAVE_PROJECT || undefined);
  const dir = sessionsDir(project, values.project === undefined ? "`CONCLAVE_PROJECT`" : "`--project`", cwd);
  const shown = show(dir, cwd);

  if (sub === undefined) {
    if (rest.length > 0) throw new ConfigError(`\`conclave sessions\` takes no argument, got ${rest.join(" ")}.`);
    const rows = listSessions(dir);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      io.stdout.write(`No sessions in \`${shown}/\` yet. Start one with \`npx conclave chat\`${project ? ` --project ${project}` : ""} (or \`npx conclave ask "<task>"\`).\n`);
      return EXIT.ok;
    }
    const table = formatTable(
      [
        ["updated", "id", "project", "turns", "cost", "last message"],
        ...rows.map((r) => [r.updated_at.slice(0, 16).replace("T", " ") || "-", r.id, r.project === null ? "-" : show(r.project, cwd), String(r.turns), formatUsd(r.cost_usd), r.problem ? `(unreadable: ${clip(r.problem, 60)})` : clip(r.preview, 60)]),
      ],
      { right: [3, 4] },
    );
    io.stdout.write(`${table.join("\n")}\n\n${rows.length} session${rows.length === 1 ? "" : "s"} in \`${shown}/\`, newest updated last.\n`);
    return EXIT.ok;
  }

  const [target, ...extra] = rest;
  if (sub === "export") {
    if (target === undefined) throw new ConfigError("no session given. Usage: conclave sessions export <id|latest> [--format md|json] [--out <file>].");
    if (extra.length > 0) throw new ConfigError(`\`conclave sessions export\` takes one session, got ${rest.length}: ${rest.join(" ")}.`);
    const format = (values.format ?? "md") as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new ConfigError(`\`--format\` must be md or json, got "${values.format}".`);
    const text = exportSession(dir, target, format);
    if (values.out === undefined) io.stdout.write(text);
    else {
      writeFileAtomic(resolve(cwd, values.out), text);
      io.stdout.write(`Wrote ${values.out} (${format}, ${Buffer.byteLength(text)} bytes).\n`);
    }
    return EXIT.ok;
  }
  if (sub === "import") {
    if (target === undefined) throw new ConfigError("no file given. Usage: conclave sessions import <file> [--project <dir>]; the file is one `conclave sessions export <id> --format json` wrote.");
    if (extra.length > 0) throw new ConfigError(`\`conclave sessions import\` takes one file, got ${rest.length}: ${rest.join(" ")}.`);
    const imported = importSession(dir, resolve(cwd, target));
    const why = imported.renamedFrom === undefined ? "" : ` (its id \`${imported.renamedFrom}\` ${isSessionId(imported.renamedFrom) ? "is taken there" : "is not a session id"}, so it has a new one)`;
    io.stdout.write(`Imported ${target} as session ${imported.id} in \`${shown}/\`${why}: ${imported.messages.length} messages, ${imported.record.turns} turns.\n`);
    return EXIT.ok;
  }
  const text = rest.join(" ");
  if (text.trim() === "") throw new ConfigError("no text given. Usage: conclave sessions search <text> [--project <dir>] [--json].");
  const hits = searchSessions(dir, text);
  if (values.json) {
    io.stdout.write(`${JSON.stringify(hits, null, 2)}\n`);
    return EXIT.ok;
  }
  if (hits.length === 0) {
    io.stdout.write(`No message in \`${shown}/\` contains "${text}".\n`);
    return EXIT.ok;
  }
  const table = formatTable([["session", "message", "role", "at", "excerpt"], ...hits.map((h) => [h.session_id, `#${h.index + 1}`, h.role, h.at.slice(0, 16).replace("T", " "), h.excerpt])], { right: [1] });
  const sessions = new Set(hits.map((h) => h.session_id)).size;
  io.stdout.write(`${table.join("\n")}\n\n${hits.length} message${hits.length === 1 ? "" : "s"} in ${sessions} session${sessions === 1 ? "" : "s"} of \`${shown}/\` contain "${text}".\n`);
  return EXIT.ok;
}

// A project's sessions/ (a directory, or a name under ./projects/), or ./.conclave/sessions; `from` names where the project came from.
function sessionsDir(project: string | undefined, from: string, cwd: string): string {
  if (project === undefined) return sessionsDirFor({ cwd });
  let dir = resolve(cwd, project);
  if (!existsSync(dir) && !/[\\/]/.test(project) && existsSync(join(cwd, "projects", project))) dir = join(cwd, "projects", project);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(`${from}: no project directory at \`${project}\`${/[\\/]/.test(project) ? "" : ` or \`projects/${project}\``} under ${cwd}. Pass a project directory such as \`projects/demo\`, or leave ${from === "`--project`" ? "--project" : "CONCLAVE_PROJECT"} out to use ./.conclave/sessions.`);
  }
  return sessionsDirFor({ projectDir: dir });
}

// A path as people see it: relative to the working directory when inside it.
function show(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
