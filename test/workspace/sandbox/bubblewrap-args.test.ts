import { describe, expect, it } from "vitest";
import { bubblewrapArgs } from "../../../framework/workspace/sandbox/bubblewrap-args.ts";

describe("bubblewrapArgs()", () => {
  it("makes the root read-only and the workspace the only writable host path, with no network", () => {
    expect(bubblewrapArgs({ root: "/work/ws", network: false, conclaveBin: "/pkg/bin/conclave.js" })).toEqual([
      "--die-with-parent", "--new-session", "--unshare-all",
      "--ro-bind", "/", "/",
      "--dev", "/dev",
      "--proc", "/proc",
      "--tmpfs", "/tmp",
      "--bind", "/work/ws", "/work/ws",
      "--symlink", "/pkg/bin/conclave.js", "/tmp/.conclave/bin/conclave",
      "--chdir", "/work/ws",
      "--",
    ]);
  });

  it("keeps paths under /tmp visible, read-only, above the private /tmp, and the workspace writable inside them", () => {
    expect(bubblewrapArgs({ root: "/tmp/clone/runs/r1/ws", network: false, visible: ["/tmp/clone"] }).slice(10, 18)).toEqual([
      "--tmpfs", "/tmp",
      "--ro-bind", "/tmp/clone", "/tmp/clone",
      "--bind", "/tmp/clone/runs/r1/ws", "/tmp/clone/runs/r1/ws",
    ]);
  });

  it("shares the host's network only when asked", () => {
    expect(bubblewrapArgs({ root: "/work/ws", network: true }).slice(0, 4)).toEqual(["--die-with-parent", "--new-session", "--unshare-all", "--share-net"]);
  });
});
