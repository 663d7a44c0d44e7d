import type { AddressInfo } from "node:net";
import { serve as listen } from "@hono/node-server";
import type { Hono } from "hono";
import { ConfigError } from "../../errors.ts";

/** A server that is listening: where, and how to stop it. */
export interface Serving {
  url: string;
  host: string;
  port: number;
  /** Stops accepting connections and ends the open ones (streams included); resolves when closed. */
  close(): Promise<void>;
}

/**
 * Serves `app` over HTTP with @hono/node-server on `host:port` (port 0: any free port). Resolves
 * once it listens; a port in use is a ConfigError that names it and `--port`.
 *
 * @example
 * const server = await serve({ app, host: "127.0.0.1", port: 7070 });
 * console.error(`Serving ${server.url}`); await server.close();
 */
export function serve(options: { app: Hono; host: string; port: number }): Promise<Serving> {
  return new Promise((resolvePromise, reject) => {
    const server = listen({ fetch: options.app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      server.off("error", failed);
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      resolvePromise({
        url: `http://${host}:${info.port}`,
        host: options.host,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Event streams never end on their own: end every open connection.
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new ConfigError(`port ${options.port} on ${options.host} is in use: another server listens there. Pass another port with \`--port <n>\`, or stop that server.`));
      else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") reject(new ConfigError(`cannot listen on host ${options.host}: it is not an address of this machine (${error.code}). Pass \`--host 127.0.0.1\`, or an address this machine has.`));
      else if (error.code === "EACCES") reject(new ConfigError(`not allowed to listen on port ${options.port} (ports below 1024 need privileges). Pass another port with \`--port <n>\`.`));
      else reject(error);
    };
    server.once("error", failed);
  });
}
