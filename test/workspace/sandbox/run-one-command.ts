// A separate Conclave process for tests: builds a toolbox from the JSON options in argv[2] (env: its own
// process.env), runs the run_command call in argv[3], and prints the tool result as JSON.
import { createToolbox } from "../../../framework/workspace/create-toolbox.ts";

const options = JSON.parse(process.argv[2]!);
const call = JSON.parse(process.argv[3]!);
const result = await createToolbox({ ...options, env: process.env }).call("run_command", call);
process.stdout.write(JSON.stringify(result));
