// The operator's structured logger: JSON lines on stdout (pino), one child per controller and per
// object, so every line about an object carries its name and namespace.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof logLevels)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout by default (tests pass a stream to read them back). */
  destination?: NodeJS.WritableStream;
}

/** Field names whose values never reach a log line, wherever they appear in a logged object. */
const redactedPaths = [
  'accessKeySecret',
  '*.accessKeySecret',
  '*.*.accessKeySecret',
  'securityToken',
  '*.securityToken',
  '*.*.securityToken',
  'password',
  '*.password',
  'token',
  '*.token',
];

export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: options.level,
    base: { app: 'ack-node-operator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[REDACTED]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** The fields that identify a Kubernetes object in a log line. */
export function objectFields(obj: { metadata?: { name?: string; namespace?: string } }): { name?: string; namespace?: string } {
  const fields: { name?: string; namespace?: string } = {};
  if (obj.metadata?.name) fields.name = obj.metadata.name;
  if (obj.metadata?.namespace) fields.namespace = obj.metadata.namespace;
  return fields;
}
