// Durations as the APIs spell them: Go's time.Duration text ("1h30m", "5m0s", "300ms") and
// Karpenter's NillableDuration, which adds "Never".

const unitMillis: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** Go's time.ParseDuration grammar (unsigned), as a regex both zod and CEL can use. */
export const GoDurationPattern = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';

export class InvalidDurationError extends Error {
  constructor(readonly value: string) {
    super(`invalid duration ${JSON.stringify(value)}: expected a Go duration such as 30s, 5m or 1h30m`);
    this.name = 'InvalidDurationError';
  }
}

/** Milliseconds in a Go duration string ("0" is accepted, as Go does). */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (!new RegExp(GoDurationPattern).test(text)) throw new InvalidDurationError(text);
  let total = 0;
  for (const part of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (unitMillis[part[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) throw new InvalidDurationError(text);
  return total;
}

/** Milliseconds in a Karpenter NillableDuration, or null for "Never". */
export function parseNillableDuration(text: string): number | null {
  return text === 'Never' ? null : parseDuration(text);
}

/** Formats milliseconds as Go prints a time.Duration ("1h30m0s", "5m0s", "0s"). */
export function formatDuration(millis: number): string {
  if (millis === 0) return '0s';
  if (millis < 1000) return `${millis}ms`;
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor((millis % 3_600_000) / 60_000);
  const seconds = (millis % 60_000) / 1000;
  let out = '';
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  return `${out}${Number(seconds.toFixed(9))}s`;
}
