// A token bucket: `capacity` requests at once, refilled at `perSecond` tokens a second.
export class RateLimiter {
  private tokens: number;
  private last = Date.now();

  constructor(private readonly capacity: number, private readonly perSecond: number) {
    this.tokens = capacity;
  }

  /** Resolves when a request may go. */
  async take(): Promise<void> {
    this.refill();
    if (this.tokens > 0) {
      this.tokens--;
      return;
    }
    // Wait for the next token, then go.
    await new Promise((resolve) => setTimeout(resolve, 1000 / this.perSecond));
    this.tokens--;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens += ((now - this.last) / 1000) * this.perSecond;
    this.last = now;
  }
}
