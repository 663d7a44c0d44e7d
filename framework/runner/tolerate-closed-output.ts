/**
 * Keeps a run going when its output goes away: a reader that exits (`conclave ask … | head -1`:
 * EPIPE) or a terminal that closes (SIGHUP, then EIO on every write). The run finishes and
 * writes its files; other stream errors still throw.
 *
 * @example
 * tolerateClosedOutput(); // first thing in a command's entry
 */
export function tolerateClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if ((stream as { conclaveTolerant?: boolean }).conclaveTolerant) continue;
    (stream as { conclaveTolerant?: boolean }).conclaveTolerant = true;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "EIO" && error.code !== "ERR_STREAM_DESTROYED") throw error;
    });
  }
}
