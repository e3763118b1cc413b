// Timestamps in the formats the ECS and VPC APIs use.

/** ECS instance times: UTC, minute precision, e.g. 2025-06-01T08:30Z. */
export function ecsMinuteTime(date: Date): string {
  return `${date.toISOString().slice(0, 16)}Z`;
}

/** Most other resources: UTC, second precision, e.g. 2025-06-01T08:30:12Z. */
export function ecsSecondTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
