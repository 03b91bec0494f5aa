import { readDotenv } from '@rbsql/runtime/project';
import { UsageError } from '../errors.ts';
import { durationProblem, isDuration, type FileTimeouts } from './rb-directives.ts';

export type { FileTimeouts };

/**
 * Timeouts every migration runs with. lock_timeout keeps a migration that waits for a busy
 * table from queueing every other query behind it; statement_timeout stops a runaway statement.
 * A file overrides them with a `-- rb:` line (src/migrations/rb-directives.ts).
 */
export interface TimeoutSettings {
  lockTimeout?: string;
  statementTimeout?: string;
  /** Retries after a lock timeout (SQLSTATE 55P03), with growing waits. */
  lockRetries: number;
  /** Wait before the first retry; doubles each time. */
  retryWaitMs: number;
}

export const DEFAULT_LOCK_TIMEOUT = '5s';
export const DEFAULT_STATEMENT_TIMEOUT = '1h';
export const DEFAULT_LOCK_RETRIES = 3;
export const DEFAULT_RETRY_WAIT_MS = 1000;

function checkDuration(value: string, where: string, name: string): string {
  if (!isDuration(value)) throw new UsageError(`${where}: ${durationProblem(value, name)}`);
  return value;
}

/** Settings from flags, then RB_LOCK_TIMEOUT / RB_STATEMENT_TIMEOUT / RB_LOCK_RETRIES (environment or .env). */
export function resolveTimeoutSettings(
  projectDir: string,
  flags: { lockTimeout?: string; statementTimeout?: string },
  env: NodeJS.ProcessEnv = process.env,
): TimeoutSettings {
  const dotenv = readDotenv(projectDir);
  const lookup = (name: string) => (env[name] ?? dotenv[name]) || undefined;
  const lockTimeout = flags.lockTimeout !== undefined ? checkDuration(String(flags.lockTimeout), '--lock-timeout', 'lock timeout') : undefined;
  const statementTimeout =
    flags.statementTimeout !== undefined ? checkDuration(String(flags.statementTimeout), '--statement-timeout', 'statement timeout') : undefined;
  const envLock = lookup('RB_LOCK_TIMEOUT');
  const envStatement = lookup('RB_STATEMENT_TIMEOUT');
  const envRetries = lookup('RB_LOCK_RETRIES');
  if (envRetries !== undefined && !/^\d+$/.test(envRetries)) {
    throw new UsageError(`RB_LOCK_RETRIES=${envRetries} is not a whole number; set it to how many times to retry a lock timeout (e.g. 3)`);
  }
  return {
    lockTimeout: lockTimeout ?? (envLock !== undefined ? checkDuration(envLock, 'RB_LOCK_TIMEOUT', 'lock timeout') : undefined),
    statementTimeout:
      statementTimeout ?? (envStatement !== undefined ? checkDuration(envStatement, 'RB_STATEMENT_TIMEOUT', 'statement timeout') : undefined),
    lockRetries: envRetries !== undefined ? Number(envRetries) : DEFAULT_LOCK_RETRIES,
    retryWaitMs: DEFAULT_RETRY_WAIT_MS,
  };
}

/**
 * The URL dbmate gets: its driver sends unknown query keys to the server as run-time
 * parameters (field notes §1). The file wins over flags/environment, those over the URL's own
 * parameters, those over rb's defaults.
 */
export function urlWithTimeouts(url: string, settings: TimeoutSettings, file: FileTimeouts = {}): string {
  const parsed = new URL(url);
  const pick = (param: string, fromFile?: string, fromSettings?: string, fallback?: string) => {
    const value = fromFile ?? fromSettings ?? parsed.searchParams.get(param) ?? fallback;
    if (value !== undefined && value !== null) parsed.searchParams.set(param, value);
  };
  pick('lock_timeout', file.lockTimeout, settings.lockTimeout, DEFAULT_LOCK_TIMEOUT);
  pick('statement_timeout', file.statementTimeout, settings.statementTimeout, DEFAULT_STATEMENT_TIMEOUT);
  return parsed.toString();
}

export function defaultTimeoutSettings(): TimeoutSettings {
  return { lockRetries: DEFAULT_LOCK_RETRIES, retryWaitMs: DEFAULT_RETRY_WAIT_MS };
}
