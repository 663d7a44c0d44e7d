import { randomBytes } from "node:crypto";

/** `YYYYMMDD-HHMMSS-<6 hex>`: what a session id looks like (and the only names a session directory may have). */
export const SESSION_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{6}$/;

/**
 * A new session id, sortable by creation time like run ids: the UTC time to the second, then 24
 * random bits. The store retries on the rare collision.
 *
 * @example
 * newSessionId(new Date("2026-12-02T09:15:00Z")); // "20261202-091500-3fa9c1"
 */
export function newSessionId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * True when `text` has the shape of a session id (whether or not such a session exists).
 *
 * @example
 * isSessionId("20261202-091500-3fa9c1"); // true
 * isSessionId("latest");                 // false
 */
export function isSessionId(text: string): boolean {
  return SESSION_ID_PATTERN.test(text);
}
