import { stopSignalOf } from '../interrupt.ts';
import type { MigrationFile } from './migration-file.ts';
import { urlWithTimeouts, type TimeoutSettings } from './migration-timeouts.ts';
import { runMigrations, type MigrationFailure, type MigrationRun } from './run-migrations.ts';

export const LOCK_TIMEOUT_SQLSTATE = '55P03';

export interface LockRetry {
  fileName: string;
  /** The attempt about to start (2 = first retry). */
  attempt: number;
  attempts: number;
  waitMs: number;
  lockTimeout: string;
}

export interface AttemptedFailure {
  failure: MigrationFailure;
  attempts: number;
  /** The last failure was a lock timeout (SQLSTATE 55P03). */
  lockTimedOut: boolean;
  /** lock_timeout the file ran with. */
  lockTimeout: string;
}

export interface BatchOutcome {
  /** Files dbmate applied or rolled back (in order), including those before a failure. */
  done: MigrationFile[];
  failure?: AttemptedFailure;
  /** rb is stopping: dbmate was ended while it ran `stopped.current`. */
  stopped?: MigrationRun['stopped'];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies files that all run with the same timeouts in one dbmate call (a process per file
 * costs ~60 ms), or rolls back one file. dbmate commits each file on its own, so after a lock
 * timeout the batch resumes at the file that timed out, after a growing wait. A transaction:false
 * section may have run part-way and is never retried automatically (the caller passes
 * lockRetries 0 for it).
 */
export async function runBatch(
  url: string,
  files: MigrationFile[],
  command: 'migrate' | 'rollback',
  settings: TimeoutSettings,
  options: { onRetry?: (retry: LockRetry) => void; signal?: AbortSignal } = {},
): Promise<BatchOutcome> {
  if (files.length === 0) return { done: [] };
  const timedUrl = urlWithTimeouts(url, settings, files[0].directives.timeouts);
  const lockTimeout = new URL(timedUrl).searchParams.get('lock_timeout') ?? '';
  const attempts = settings.lockRetries + 1;
  const done: MigrationFile[] = [];
  let remaining = files;
  let attempt = 1;
  for (;;) {
    if (options.signal?.aborted) return { done, stopped: { signal: stopSignalOf(options.signal) } };
    const run = await runMigrations(timedUrl, remaining, command);
    done.push(...run.done);
    if (run.stopped) return { done, stopped: run.stopped };
    if (!run.failure) return { done };
    const failed = run.failure.file;
    if (run.done.length) attempt = 1; // the retry budget is per file
    const lockTimedOut = run.failure.sqlState === LOCK_TIMEOUT_SQLSTATE;
    if (!failed || !lockTimedOut || attempt >= attempts) {
      return { done, failure: { failure: run.failure, attempts: attempt, lockTimedOut, lockTimeout } };
    }
    const waitMs = settings.retryWaitMs * 2 ** (attempt - 1);
    attempt += 1;
    options.onRetry?.({ fileName: failed.fileName, attempt, attempts, waitMs, lockTimeout });
    await sleep(waitMs);
    remaining = remaining.slice(remaining.indexOf(failed));
  }
}

/**
 * Splits pending files into runs dbmate can apply in one call: consecutive transactional files
 * with the same timeouts; each transaction:false file on its own.
 */
export function migrateBatches(files: MigrationFile[], settings: TimeoutSettings): MigrationFile[][] {
  const batches: MigrationFile[][] = [];
  let key: string | null = null;
  for (const file of files) {
    if (file.up.options.transaction === 'false') {
      batches.push([file]);
      key = null;
      continue;
    }
    const fileKey = urlWithTimeouts('postgres://x/y', settings, file.directives.timeouts);
    if (key === fileKey) batches.at(-1)!.push(file);
    else batches.push([file]);
    key = fileKey;
  }
  return batches;
}
