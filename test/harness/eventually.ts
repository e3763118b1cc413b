/**
 * Polls `probe` until it returns a value other than undefined, and returns that value. After
 * `timeoutMs` it fails with `description` and the last thing the probe saw (from `lastSeen`).
 */
export async function eventually<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; lastSeen?: () => string } = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 250 } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = opts.lastSeen?.() ?? (lastError instanceof Error ? lastError.message : '');
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}${seen ? `; last seen: ${seen}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
