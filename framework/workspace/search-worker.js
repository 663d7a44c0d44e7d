// The body of search_files, run in a worker thread so that a slow regex (catastrophic
// backtracking) never blocks the main event loop: the main thread can stop it at any moment.
// Plain JavaScript on purpose: a worker needs no TypeScript loader, under tsx, vitest or an
// installed package alike. Input is `workerData` (see search-in-worker.ts); the one message
// posted back is the result.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const { files, pattern, limits } = workerData;
const test = pattern.regex ? regexTest(pattern.regex.source, pattern.regex.flags) : (line) => line.includes(pattern.text);
const lines = [];
const tooLarge = [];
let bytes = 0;
let more = false;

for (const file of files) {
  const data = readRegular(file.path);
  if (data === "large") tooLarge.push(file.shown);
  if (typeof data === "string" || data.subarray(0, 8000).includes(0)) continue;
  const fileLines = data.toString("utf8").split(/\r?\n/);
  for (let i = 0; i < fileLines.length && !more; i++) {
    const text = fileLines[i];
    if (!test(text)) continue;
    const line = `${file.shown}:${i + 1}: ${text.length > limits.lineShown ? `${text.slice(0, limits.lineShown)}…` : text}`;
    more = lines.length >= limits.matches || bytes + line.length > limits.outputBytes;
    if (!more) {
      lines.push(line);
      bytes += line.length + 1;
    }
  }
  if (more) break;
}
parentPort.postMessage({ lines, more, tooLarge });

function regexTest(source, flags) {
  const compiled = new RegExp(source, flags);
  return (line) => compiled.test(line);
}

// A regular file's bytes; "large" over the size limit, "skip" for anything else (a named pipe,
// a socket, a device, a file gone since the listing). Never blocks on a pipe: O_NONBLOCK.
function readRegular(path) {
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return "skip";
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return "skip";
    if (stats.size > limits.fileBytes) return "large";
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } catch {
    return "skip";
  } finally {
    closeSync(fd);
  }
}
