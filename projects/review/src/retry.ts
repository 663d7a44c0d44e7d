// Retries `request` with exponential backoff: 100 ms, 200 ms, 400 ms, …
export async function withRetry<T>(request: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= attempts) throw new Error("request failed");
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}
