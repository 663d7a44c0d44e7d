// A child process for session-resume.test.ts: opens (or resumes) a session on a project and plays one turn.
import { openSession } from "../../framework/session/open-session.ts";

const [project, configJson, text, resume] = process.argv.slice(2) as [string, string, string, string | undefined];
const session = await openSession({ project, config: JSON.parse(configJson), env: { OPENAI_API_KEY: "test-openai-key" }, ...(resume && { resume }) });
for await (const e of session.send(text)) if (e.type === "message") process.stdout.write(`${e.content}\n`);
await session.close();
process.stdout.write(`session ${session.id}\n`);
