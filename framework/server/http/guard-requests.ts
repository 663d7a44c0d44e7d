import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** The hosts that only this machine can reach: binding one of them needs no token. */
export const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"];

/**
 * The name of the cookie that holds the token for a browser, per port: cookies are shared by every
 * port of a host, so two servers on one machine would otherwise overwrite each other's.
 *
 * @example
 * tokenCookieName(7070); // "conclave_token_7070"
 */
export function tokenCookieName(port: number): string {
  return `conclave_token_${port}`;
}

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
 * - With a token, a request without `Authorization: Bearer <token>` or the token cookie is refused 401
 *   (compared in constant time). A browser cannot send the header when it opens the viewer, so
 *   `GET /?token=<token>` checks the token, sets the cookie (HttpOnly, SameSite=Strict, Path=/; it holds
 *   an HMAC of the token and the port, not the token) and
 *   answers 303 to `/`, so the token leaves the address bar and the history; a wrong one is 401,
 *   no cookie. The Origin check above and SameSite=Strict together keep other pages from posting
 *   with the cookie (CSRF).
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
      const matches = (given: string | undefined) => given !== undefined && timingSafeEqual(digest(given), expected);
      const shown = host ?? names[0]!;
      const opening = `open http://${shown}/?token=<CONCLAVE_TOKEN> with the token \`conclave serve\` was started with (it prints that address when it starts)`;
      const fromAddress = c.req.method === "GET" && c.req.path === "/" ? c.req.query("token") : undefined;
      if (fromAddress !== undefined) {
        if (!matches(fromAddress)) return plain(c, 401, `Wrong token in the address. To see the runs, ${opening}.\n`);
        setCookie(c, tokenCookieName(port), cookieValue(fromAddress, port), { httpOnly: true, sameSite: "Strict", path: "/" });
        c.header("Cache-Control", "no-store");
        return c.redirect("/", 303);
      }
      const bearer = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      const cookie = getCookie(c, tokenCookieName(port));
      const cookieMatches = cookie !== undefined && timingSafeEqual(digest(cookie), digest(cookieValue(options.token!, port)));
      if (!matches(bearer) && !cookieMatches) {
        const api = /^\/(api|mcp)(\/|$)/.test(c.req.path);
        if (!api) return plain(c, 401, `This server needs its token. To see the runs, ${opening}.\n`);
        c.header("WWW-Authenticate", 'Bearer realm="conclave"');
        return c.json({ error: "missing or wrong bearer token: send `Authorization: Bearer <token>` with the CONCLAVE_TOKEN the server was started with." }, 401);
      }
    }
    await next();
  };
}

// A plain-text answer for a person at a browser (never sniffed as HTML: the Host in it is the request's).
function plain(c: Context, status: 401, text: string): Response {
  return c.body(text, status, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" });
}

// The cookie holds a value derived from the token, never the token: browsers send a host's cookies to
// every port of it, so another service on this host sees the cookie, but not a token it could use
// as a bearer (on /mcp, or wherever else the person reused it). The cookie itself still opens this viewer.
function cookieValue(token: string, port: number): string {
  return createHmac("sha256", token).update(`conclave-viewer-cookie:${port}`).digest("base64url");
}

// Hashing first makes both sides the same length, which timingSafeEqual needs, and hides the token's length.
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
