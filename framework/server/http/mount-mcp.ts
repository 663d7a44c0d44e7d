import { randomUUID } from "node:crypto";
import { createMcpHandler, isLegacyRequest, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import type { Hono } from "hono";
import { createMcpLaunches, createMcpServer, type McpServerDeps } from "../mcp-server.ts";

/**
 * Serves the MCP tools of `conclave mcp` over Streamable HTTP at `/mcp` (docs/architecture.md §11),
 * on the routes of `app`, so the app's guard (Origin, Host, bearer token) applies to them: mount
 * it after guardRequests(). Both protocol eras are served:
 * - 2026-07-28 (per-request envelope): the SDK's createMcpHandler, a fresh server instance per
 *   request, all of them sharing the launches, so a question answered through elicitation
 *   (input_required, then the request again with its requestState) resumes the launch another
 *   request started. A response upgrades to SSE when the call sends progress before its result.
 * - 2025 (initialize): a session per client (`Mcp-Session-Id`), one transport and server each,
 *   so progress, and elicitation as a server request answered by a later POST, reach it; DELETE ends it.
 *   Clients that never DELETE are bounded: past `maxSessions`, the session least recently used is closed.
 *
 * @example
 * app.use("*", guardRequests({ host, port }));
 * mountMcp(app, { launcher, queries, project });
 */
export function mountMcp(app: Hono, deps: McpServerDeps, options: { maxSessions?: number } = {}): void {
  const maxSessions = options.maxSessions ?? 256;
  const launches = createMcpLaunches();
  const serverOf = () => createMcpServer(deps, launches);
  const onerror = (error: Error) => deps.onNotice?.(`conclave serve /mcp: ${error.message}`);
  const modern = createMcpHandler(serverOf, { legacy: "reject", onerror });
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

  app.all("/mcp", async (c) => {
    const request = c.req.raw;
    if (!(await isLegacyRequest(request))) return modern.fetch(request);
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const transport = sessions.get(sessionId);
      if (transport) {
        // The most recently used last: eviction takes the first.
        sessions.delete(sessionId);
        sessions.set(sessionId, transport);
        return transport.handleRequest(request);
      }
      return rpcError(404, `no MCP session ${JSON.stringify(sessionId)} on this server (it ended, or the server restarted): initialize a new one.`);
    }
    if (request.method !== "POST") return rpcError(400, `${request.method} /mcp needs an \`Mcp-Session-Id\` header: initialize a session with a POST first.`);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        for (const [oldest, old] of sessions) {
          if (sessions.size <= maxSessions) break;
          sessions.delete(oldest);
          void old.close();
        }
      },
      onsessionclosed: (id) => void sessions.delete(id),
    });
    // Before connect(), which chains the handler it finds.
    transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
    const server = serverOf();
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    // Not an initialize (the transport answered 400): no session was made, nothing to keep.
    if (transport.sessionId === undefined) await server.close();
    return response;
  });
}

// A JSON-RPC error answer of the Streamable HTTP transport, for a request no session takes.
function rpcError(status: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }, { status });
}
