import { request } from "node:http";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createHttpApp } from "../../../framework/server/http/create-app.ts";
import { makeTempDir, removeDir } from "../../support/cli-process.ts";
import { handMadeRun } from "../../support/hand-made-run.ts";
import { startHttp, stopHttp } from "../../support/http-server.ts";
import { openSse } from "../../support/sse-client.ts";

const temps: string[] = [];
function tempDir(): string {
  const dir = makeTempDir("conclave-guard-");
  temps.push(dir);
  return dir;
}
afterEach(stopHttp);
afterAll(() => {
  for (const dir of temps) removeDir(dir);
});

/** A GET sent as written: node's fetch would resolve `../` and re-encode the path before sending it. */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: "GET", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("run ids from requests", () => {
  it("refuses ../, encoded, double-encoded and absolute ids with 400, and never serves a file outside the runs directory", async () => {
    const root = tempDir();
    const runsDir = join(root, "runs");
    mkdirSync(runsDir);
    handMadeRun(runsDir);
    writeFileSync(join(root, "secret.json"), '{"secret": "outside the runs directory"}');
    const server = await startHttp({ runsDir });
    const cases: [string, string][] = [
      ["/api/runs/%2e%2e%2fsecret.json", "../secret.json"],
      ["/api/runs/..%2Fsecret.json", "../secret.json"],
      ["/api/runs/%252e%252e%252fsecret.json", "%2e%2e%2fsecret.json"],
      ["/api/runs/%2Fetc%2Fpasswd", "/etc/passwd"],
    ];
    for (const [path, id] of cases) {
      const response = await rawGet(server.url, path);
      expect([path, response.status, JSON.parse(response.body)]).toEqual([
        path,
        400,
        { error: `run id ${JSON.stringify(id)} is not a run id: expected the shape 20261121-101500-3f9a1c2b7d4e (UTC date, time, 12 hex digits). Take the id from GET /api/runs.` },
      ]);
    }
    // Dot segments, raw or encoded whole (`%2e%2e`), are resolved by URL parsing before routing: they never reach a run route, and nothing outside is read.
    for (const path of ["/api/runs/../secret.json", "/api/runs/../../etc/passwd", "/api/runs/%2e%2e/events", "/api/runs/..", "/api/runs/..%2f..%2fsecret.json/events"]) {
      const response = await rawGet(server.url, path);
      expect([400, 404]).toContain(response.status);
      expect(response.body).not.toContain("outside the runs directory");
      expect(response.body).not.toContain("root:");
    }
  });

  it("refuses a run directory that is a symbolic link pointing outside, and does not list it", async () => {
    const root = tempDir();
    const runsDir = join(root, "runs");
    mkdirSync(runsDir);
    const outside = handMadeRun(join(root, "elsewhere"));
    const linked = "20261121-101500-3f9a1c2b7d4e";
    symlinkSync(outside.dir, join(runsDir, linked));
    const server = await startHttp({ runsDir });
    for (const path of [`/api/runs/${linked}`, `/api/runs/${linked}/events`]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(403);
      expect(await response.json()).toEqual({ error: `run ${linked} is not served: its entry in the runs directory is a symbolic link, and only real run directories are.` });
    }
    expect(await (await fetch(`${server.url}/api/runs`)).json()).toEqual({ runs: [] });
  });
});

describe("the Origin and Host of a request (DNS rebinding)", () => {
  it("serves this server's own origins and refuses another page's with 403", async () => {
    const runsDir = tempDir();
    const server = await startHttp({ runsDir });
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
      expect((await fetch(`${server.url}/api/runs`, { headers: { origin } })).status, origin).toBe(200);
    }
    for (const origin of [`http://evil.example:${server.port}`, "http://127.0.0.1:1", `https://127.0.0.1:${server.port}`, "null"]) {
      const response = await fetch(`${server.url}/api/runs`, { headers: { origin } });
      expect(response.status, origin).toBe(403);
      expect(await response.json()).toEqual({
        error: `Origin ${JSON.stringify(origin)} is not this server: expected one of http://127.0.0.1:${server.port}, http://localhost:${server.port}, http://[::1]:${server.port} (DNS rebinding protection).`,
      });
    }
  });

  it("refuses a request for another host name, as a rebound name's own page sends without an Origin", async () => {
    const runsDir = tempDir();
    const server = await startHttp({ runsDir });
    const response = await rawGet(server.url, "/api/runs", { host: `evil.example:${server.port}` });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({
      error: `Host "evil.example:${server.port}" is not this server: it answers only as 127.0.0.1:${server.port}, localhost:${server.port}, [::1]:${server.port} (DNS rebinding protection).`,
    });
    expect((await rawGet(server.url, "/api/runs", { host: `localhost:${server.port}` })).status).toBe(200);
  });
});

describe("the guard without a socket (app.request)", () => {
  it("takes the port it was given, accepts a Host and Origin without a port on port 80, and wants a set token on loopback too", async () => {
    const app = createHttpApp({ runsDir: tempDir(), host: "127.0.0.1", port: 80, token: "t0ken" });
    const auth = { authorization: "Bearer t0ken" };
    expect((await app.request("/api/runs", { headers: { host: "localhost", origin: "http://localhost", ...auth } })).status).toBe(200);
    expect((await app.request("/api/runs", { headers: { host: "127.0.0.1:80", ...auth } })).status).toBe(200);
    expect((await app.request("/api/runs", { headers: { host: "localhost:8080", ...auth } })).status).toBe(403);
    expect((await app.request("/api/runs", { headers: { host: "localhost" } })).status).toBe(401);
  });
});

describe("a host other than loopback", () => {
  it("refuses to start without a token, saying to set CONCLAVE_TOKEN", () => {
    expect(() => createHttpApp({ runsDir: tempDir(), host: "0.0.0.0", port: 7070 })).toThrow(
      "serving on host 0.0.0.0 needs a token: anyone who can reach it could read the runs. Set CONCLAVE_TOKEN (clients then send `Authorization: Bearer <token>`), or serve on 127.0.0.1.",
    );
  });

  it("answers 401 to every request without the bearer token, or with a wrong one, and serves the right one", async () => {
    const runsDir = tempDir();
    // 127.0.0.2 is loopback to the kernel but not one of the names the server trusts: it stands for a LAN address.
    const server = await startHttp({ runsDir, host: "127.0.0.2", token: "s3cret-token" });
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "Bearer s3cret-token-and-more" }, { authorization: "Basic s3cret-token" }] as Record<string, string>[]) {
      for (const path of ["/api/runs", "/api/runs/20261121-101500-3f9a1c2b7d4e/events"]) {
        const response = await fetch(`${server.url}${path}`, { headers });
        expect([path, headers.authorization, response.status]).toEqual([path, headers.authorization, 401]);
        expect(response.headers.get("www-authenticate")).toBe('Bearer realm="conclave"');
        expect(await response.json()).toEqual({ error: "missing or wrong bearer token: send `Authorization: Bearer <token>` with the CONCLAVE_TOKEN the server was started with." });
      }
    }
    const ok = await fetch(`${server.url}/api/runs`, { headers: { authorization: "Bearer s3cret-token", origin: `http://127.0.0.2:${server.port}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ runs: [] });
  });
});

describe("the token in the viewer's address (a browser cannot send the bearer header)", () => {
  it("GET /?token=<token> sets the token cookie and answers 303 to /; the cookie then serves the page, /api/runs and the event stream, and the bearer header still works", async () => {
    const runsDir = tempDir();
    const run = handMadeRun(runsDir);
    run.append({ type: "run.phase", phase: "planning", round: 0 });
    const server = await startHttp({ runsDir, host: "127.0.0.2", token: "s3cret token/+" });
    const opened = await fetch(`${server.url}/?token=${encodeURIComponent("s3cret token/+")}`, { redirect: "manual" });
    expect([opened.status, opened.headers.get("location"), opened.headers.get("cache-control")]).toEqual([303, "/", "no-store"]);
    const [setCookie, ...more] = opened.headers.getSetCookie();
    expect([more, setCookie]).toEqual([[], expect.stringMatching(new RegExp(`^conclave_token_${server.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$`))]);
    // The cookie holds a value derived from the token, never the token (every port of the host receives it).
    expect(setCookie).not.toContain(encodeURIComponent("s3cret token/+"));
    const cookie = setCookie!.split(";")[0]!;
    const value = cookie.split("=")[1]!;
    // A bearer made of the cookie's value is no token either.
    expect((await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${value}` } })).status).toBe(401);

    const page = await fetch(`${server.url}/`, { headers: { cookie } });
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    const listed = await fetch(`${server.url}/api/runs`, { headers: { cookie, origin: `http://127.0.0.2:${server.port}` } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { runs: { run_id: string }[] }).runs.map((r) => r.run_id)).toEqual([run.runId]);
    const stream = await openSse(`${server.url}/api/runs/${run.runId}/events`, { cookie });
    expect(stream.status).toBe(200);
    expect((await stream.until((events) => events.some((e) => e.id === "1")))[0]).toMatchObject({ id: "1", event: "run.phase" });
    stream.close();
    expect((await fetch(`${server.url}/api/runs`, { headers: { authorization: "Bearer s3cret token/+" } })).status).toBe(200);

    // Another server's cookie (another port), the raw token as a cookie, or a wrong value, is no token.
    for (const wrong of [`conclave_token_${server.port + 1}=${value}`, `conclave_token_${server.port}=${encodeURIComponent("s3cret token/+")}`, `conclave_token_${server.port}=wrong`]) {
      const response = await fetch(`${server.url}/api/runs`, { headers: { cookie: wrong } });
      expect([wrong, response.status]).toEqual([wrong, 401]);
    }
  });

  it("answers a wrong token in the address 401 with a plain message that says how to open the page, and sets no cookie; so is the page opened without one", async () => {
    const server = await startHttp({ runsDir: tempDir(), host: "127.0.0.2", token: "s3cret-token" });
    const address = `127.0.0.2:${server.port}`;
    for (const [path, start] of [["/?token=wrong", "Wrong token in the address."], ["/", "This server needs its token."], ["/viewer.js", "This server needs its token."]] as const) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect([path, response.status, response.headers.get("content-type"), response.headers.getSetCookie()]).toEqual([path, 401, "text/plain; charset=utf-8", []]);
      expect(await response.text()).toBe(`${start} To see the runs, open http://${address}/?token=<CONCLAVE_TOKEN> with the token \`conclave serve\` was started with (it prints that address when it starts).\n`);
    }
  });
});
