import { z } from "zod";
import { configSchema } from "./config-schema.ts";

/**
 * The JSON Schema of a config file, generated from the zod schemas, for editors
 * (`# yaml-language-server: $schema=./schema.json`).
 *
 * @example
 * JSON.stringify(configJsonSchema()) // what configs/schema.json holds
 */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }), title: "Conclave config" } as Record<string, unknown>;
}
