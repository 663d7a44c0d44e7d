import { createHttpApp, type HttpAppOptions } from "../../framework/server/http/create-app.ts";
import { serve, type Serving } from "../../framework/server/http/serve.ts";

const open: Serving[] = [];

/** The real HTTP server on a free loopback port (127.0.0.1 by default), serving the runs of `options.runsDir` or `options.project`. */
export async function startHttp(options: Partial<HttpAppOptions>): Promise<Serving> {
  const host = options.host ?? "127.0.0.1";
  const app = createHttpApp({ host, port: 0, ...options });
  const server = await serve({ app, host, port: 0 });
  open.push(server);
  return server;
}

/** Closes every server startHttp() started (call from afterEach or afterAll). */
export async function stopHttp(): Promise<void> {
  await Promise.all(open.splice(0).map((s) => s.close()));
}
