import type { BackfillLogger } from '@rbsql/runtime';

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/** "[info] backfilled rows=10 table=app.my_model" */
export function formatLogLine(level: 'info' | 'warn', message: string, fields?: Record<string, unknown>): string {
  const tail = Object.entries(fields ?? {}).map(([key, value]) => ` ${key}=${formatValue(value)}`).join('');
  return `[${level}] ${message}${tail}`;
}

/** A logger that hands each formatted line to `sink` (the command prints them on stderr). */
export function createLogger(sink: (line: string) => void): BackfillLogger {
  return {
    info: (message, fields) => sink(formatLogLine('info', message, fields)),
    warn: (message, fields) => sink(formatLogLine('warn', message, fields)),
  };
}
