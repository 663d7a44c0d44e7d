import { writeFileSync } from "node:fs";
import { packagePath } from "../package-root.ts";
import { configJsonSchema } from "./config-json-schema.ts";

// `npm run schema`: regenerates configs/schema.json from the zod schemas.
const target = packagePath("configs/schema.json");
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
