import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/** The hosts that only this machine can reach: binding one of them needs no token. */
export const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"];

/** Where the server listens, and the bearer token it requires (if any). */
export interface GuardOptions {
  host: string;
  /** The port asked for; the port a request actually came in on is used when known (port 0 picks one). */
  port: number;
  token?: string;
}

/**
 * The server's first middleware (docs/architecture.md §11): DNS-rebinding protection and the bearer token.
 * - A request whose `Origin` is not this server's own (`http://127.0.0.1:PORT`, `http://localhost:PORT`,
 *   `http://[::1]:PORT`, or the bound host) is refused 403. So is, on a loopback server, one whose
 *   `Host` is another name: a page on a rebound name sends no Origin on its own GETs, but its Host gives it away.
 * - With a token, a request without `Authorization: Bearer <token>` is refused 401 (compared in constant time).
 *
 * @example
 * app.use("*", guardRequests({ host: "127.0.0.1", port: 7070 }));
 */
export function guardRequests(options: GuardOptions): MiddlewareHandler {
  const loopback = LOOPBACK_HOSTS.includes(options.host);
  const wildcard = options.host === "0.0.0.0" || options.host === "::";
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (c, next) => {
    const socketPort = (c.env as { incoming?: { socket?: { localPort?: number } } } | undefined)?.incoming?.socket?.localPort;
    const port = socketPort ?? options.port;
    const hosts = [...LOOPBACK_HOSTS, ...(loopback || wildcard ? [] : [options.host])].map((h) => (h.includes(":") ? `[${h}]` : h));
    // On port 80 a browser leaves the port out of Host and Origin.
    const names = [...hosts.map((h) => `${h}:${port}`), ...(port === 80 ? hosts : [])];
    const host = c.req.header("host");
    if (loopback && host !== undefined && !names.includes(host.toLowerCase())) {
      return c.json({ error: `Host ${JSON.stringify(host)} is not this server: it answers only as ${names.join(", ")} (DNS rebinding protection).` }, 403);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      const own = names.map((n) => `http://${n}`);
      // Bound to every interface, with a token: a page served by this server has the Host it was reached at.
      if (wildcard && host !== undefined) own.push(`http://${host.toLowerCase()}`);
      if (!own.includes(origin.toLowerCase())) {
        return c.json({ error: `Origin ${JSON.stringify(origin)} is not this server: expected one of ${own.join(", ")} (DNS rebinding protection).` }, 403);
      }
    }
    if (expected) {
      const given = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        c.header("WWW-Authenticate", 'Bearer realm="conclave"');
        return c.json({ error: "missing or wrong bearer token: send `Authorization: Bearer <token>` with the CONCLAVE_TOKEN the server was started with." }, 401);
      }
    }
    await next();
  };
}

// Hashing first makes both sides the same length, which timingSafeEqual needs, and hides the token's length.
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
