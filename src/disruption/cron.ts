// Standard five-field cron schedules (minute hour day-of-month month day-of-week, UTC), as
// Karpenter parses budget schedules with robfig/cron's ParseStandard: lists, ranges, steps, month
// and weekday names, `?`, the @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly macros,
// and Vixie cron's day rule (when both day fields are restricted, either may match).

export class InvalidScheduleError extends Error {
  constructor(readonly schedule: string, detail: string) {
    super(`invalid cron schedule ${JSON.stringify(schedule)}: ${detail}`);
    this.name = 'InvalidScheduleError';
  }
}

interface Field {
  min: number;
  max: number;
  names?: readonly string[];
}

const fields: readonly Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const macros: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** A day field written as `*` or `?`: then both day fields must match, else either. */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

function parseValue(text: string, field: Field, schedule: string): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = named >= 0 ? named + field.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < field.min || value > field.max) {
    throw new InvalidScheduleError(schedule, `${JSON.stringify(text)} is not in ${field.min}-${field.max}`);
  }
  return value;
}

function parseField(text: string, field: Field, schedule: string): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new InvalidScheduleError(schedule, `bad step in ${JSON.stringify(part)}`);
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      [start, end] = [field.min, field.max];
      if (step === 1) star = true;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [start, end] = [parseValue(a, field, schedule), parseValue(b, field, schedule)];
      if (start > end) throw new InvalidScheduleError(schedule, `range ${JSON.stringify(range)} runs backwards`);
    } else {
      start = parseValue(range, field, schedule);
      end = stepText === undefined ? start : field.max;
    }
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

export function parseCron(schedule: string): CronSchedule {
  const expanded = macros[schedule.trim().toLowerCase()] ?? schedule.trim();
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new InvalidScheduleError(schedule, `expected 5 fields, got ${parts.length}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, fields[i] as Field, schedule));
  const daysOfWeek = new Set([...(dow?.values ?? [])].map((d) => d % 7)); // 7 is Sunday too
  return {
    minutes: minute!.values,
    hours: hour!.values,
    daysOfMonth: dom!.values,
    months: month!.values,
    daysOfWeek,
    dayOfMonthStar: dom!.star,
    dayOfWeekStar: dow!.star,
  };
}

function dayMatches(s: CronSchedule, t: Date): boolean {
  const dom = s.daysOfMonth.has(t.getUTCDate());
  const dow = s.daysOfWeek.has(t.getUTCDay());
  return s.dayOfMonthStar || s.dayOfWeekStar ? dom && dow : dom || dow;
}

const minute = 60_000;
/** Searching further than this finds nothing new (leap days repeat within 8 years). */
const horizonMs = 9 * 366 * 24 * 3_600_000;

/** The first time strictly after `after` (ms since epoch) the schedule fires, or undefined if never (e.g. Feb 30). */
export function nextFire(s: CronSchedule, after: number): number | undefined {
  const t = new Date(Math.floor(after / minute) * minute + minute);
  const limit = after + horizonMs;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setTime(t.getTime() + minute);
      continue;
    }
    return t.getTime();
  }
  return undefined;
}

/**
 * Whether a window that opens at each firing of `schedule` and lasts `durationMs` contains `now`:
 * Karpenter's Budget.IsActive (walk back by the duration, and see if the next firing is not after now).
 */
export function isWindowActive(schedule: CronSchedule, durationMs: number, now: number): boolean {
  const next = nextFire(schedule, now - durationMs);
  return next !== undefined && next <= now;
}
