import { createHash } from "node:crypto";

/**
 * What run_description.json and the step memo keep of a run's context: its sha256 and its size,
 * never a copy (a context may be up to `context.max_mb`, and every run and step would repeat it).
 *
 * @example
 * contextDigest("# Demo\n"); // { context_sha256: "2c6e…", context_bytes: 7 }
 */
export function contextDigest(context: string): { context_sha256: string; context_bytes: number } {
  return { context_sha256: createHash("sha256").update(context).digest("hex"), context_bytes: Buffer.byteLength(context) };
}
