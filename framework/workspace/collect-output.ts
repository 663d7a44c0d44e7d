import { utf8Prefix, utf8Suffix } from "./truncate-text.ts";

/**
 * Collects a stream's bytes in bounded memory: the first `cap` bytes and the last `cap / 2`,
 * however much is written. `render(budget)` returns all of it when it fits in `budget` bytes
 * (at most `cap`), otherwise its head and tail around a line saying how much was left out.
 *
 * @example
 * const out = new OutputCollector(1024);
 * child.stdout.on("data", (chunk) => out.push(chunk));
 * out.render(1024); // "…first 512 bytes…\n[… 98 304 bytes left out …]\n…last 512 bytes…"
 */
export class OutputCollector {
  readonly cap: number;
  total = 0;
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;

  constructor(cap: number) {
    this.cap = cap;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.#headBytes < this.cap) {
      const part = chunk.subarray(0, this.cap - this.#headBytes);
      this.#head.push(part);
      this.#headBytes += part.length;
    }
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    const keep = Math.ceil(this.cap / 2);
    while (this.#tail.length > 1 && this.#tailBytes - (this.#tail[0]?.length ?? 0) >= keep) {
      this.#tailBytes -= this.#tail.shift()?.length ?? 0;
    }
  }

  /** Whether `render(budget)` leaves something out. */
  truncated(budget: number): boolean {
    return this.total > Math.min(budget, this.cap);
  }

  render(budget: number): string {
    const limit = Math.min(budget, this.cap);
    const head = Buffer.concat(this.#head);
    if (this.total <= limit) return head.toString("utf8");
    const first = utf8Prefix(head, Math.floor(limit / 2));
    const last = utf8Suffix(Buffer.concat(this.#tail), Math.floor(limit / 2));
    const omitted = this.total - first.length - last.length;
    return `${first.toString("utf8")}\n[… ${omitted} bytes left out …]\n${last.toString("utf8")}`;
  }
}
