/** Where `conclave` appears on PATH inside the sandbox (in its private /tmp). */
export const SANDBOX_BIN_DIR = "/tmp/.conclave/bin";

export interface BubblewrapArgsOptions {
  /** The agent's workspace, absolute: bound writable at the same path, and the working directory. None for a probe. */
  root?: string;
  /** True shares the host's network; false (the default in config) gives the sandbox a network of its own, loopback only. */
  network: boolean;
  /** The file a `conclave` on the sandbox's PATH points at (this package's bin/conclave.js). */
  conclaveBin?: string;
  /** Host paths under /tmp that stay visible, read-only, above the private /tmp (this package and node, when installed there). */
  visible?: string[];
  /** Existing files that read as empty inside, e.g. the `.env` with the keys. */
  hidden?: string[];
  /** An empty regular file on the host, bound read-only over each hidden file (a device node would not read inside). */
  emptyFile?: string;
}

/**
 * The bubblewrap arguments that confine one command (docs/architecture.md §6), up to and including `--`: the
 * root file system read-only, a fresh /dev and /proc, a private /tmp, the workspace the only
 * writable host path, new user, pid, ipc, uts and cgroup namespaces (and network unless
 * `network`), a new session (no terminal injection), and the sandbox killed with its parent.
 * When the command exits, its pid namespace ends and the kernel kills everything left in it.
 *
 * @example
 * bubblewrapArgs({ root: "/work/ws", network: false });
 * // ["--die-with-parent", "--new-session", "--unshare-all", "--ro-bind", "/", "/", …, "--chdir", "/work/ws", "--"]
 */
export function bubblewrapArgs(options: BubblewrapArgsOptions): string[] {
  return [
    "--die-with-parent",
    "--new-session",
    "--unshare-all",
    ...(options.network ? ["--share-net"] : []),
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
    // After the tmpfs, so that what lives under /tmp on the host is not hidden by the private /tmp;
    // the workspace last, so that it is writable even inside a visible path.
    ...(options.visible ?? []).flatMap((path) => ["--ro-bind", path, path]),
    ...(options.root ? ["--bind", options.root, options.root] : []),
    ...(options.emptyFile ? (options.hidden ?? []).flatMap((path) => ["--ro-bind", options.emptyFile!, path]) : []),
    ...(options.conclaveBin ? ["--symlink", options.conclaveBin, `${SANDBOX_BIN_DIR}/conclave`] : []),
    ...(options.root ? ["--chdir", options.root] : []),
    "--",
  ];
}
