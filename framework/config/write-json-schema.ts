import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "./config-json-schema.ts";

// `npm run schema`: regenerates configs/schema.json from the zod schemas.
const target = fileURLToPath(new URL("../../configs/schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
