import { MigrationError } from '../errors.ts';
import { parseDbmateError, runDbmate, withMigrationSubset, assertDbmateRan } from './dbmate.ts';
import type { ProcessResult } from '../process.ts';
import type { MigrationFile } from './migration-file.ts';
import { fileTimeouts, urlWithTimeouts, type TimeoutSettings } from './migration-timeouts.ts';

export const LOCK_TIMEOUT_SQLSTATE = '55P03';

export interface LockRetry {
  fileName: string;
  /** The attempt about to start (2 = first retry). */
  attempt: number;
  attempts: number;
  waitMs: number;
  lockTimeout: string;
}

export interface StepOutcome {
  result: ProcessResult;
  attempts: number;
  /** The last failure was a lock timeout (SQLSTATE 55P03). */
  lockTimedOut: boolean;
  /** lock_timeout the file ran with. */
  lockTimeout: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies (or rolls back) exactly one file through dbmate with the timeouts as run-time
 * parameters. A lock timeout in a transactional section left nothing behind, so it is retried
 * with growing waits; a transaction:false section may have run part-way and is never retried.
 */
export async function runMigrationStep(
  target: { url: string },
  file: MigrationFile,
  command: 'migrate' | 'rollback',
  settings: TimeoutSettings,
  onRetry?: (retry: LockRetry) => void,
): Promise<StepOutcome> {
  const section = command === 'migrate' ? file.up : file.down;
  const transactional = section.options.transaction !== 'false';
  const url = urlWithTimeouts(target.url, settings, fileTimeouts(file.path));
  const lockTimeout = new URL(url).searchParams.get('lock_timeout') ?? '';
  const attempts = transactional ? settings.lockRetries + 1 : 1;
  for (let attempt = 1; ; attempt++) {
    const result = await withMigrationSubset([file.path], (dir) =>
      runDbmate({ url, migrationsDir: dir }, [command]),
    );
    assertDbmateRan(result);
    if (result.ok) return { result, attempts: attempt, lockTimedOut: false, lockTimeout };
    const lockTimedOut = parseDbmateError(result.stderr).sqlState === LOCK_TIMEOUT_SQLSTATE;
    if (!lockTimedOut || attempt >= attempts) return { result, attempts: attempt, lockTimedOut, lockTimeout };
    const waitMs = settings.retryWaitMs * 2 ** (attempt - 1);
    onRetry?.({ fileName: file.fileName, attempt: attempt + 1, attempts, waitMs, lockTimeout });
    await sleep(waitMs);
  }
}

export interface BatchOutcome {
  /** Files dbmate applied (in order), including those before a failure. */
  applied: MigrationFile[];
  failure?: { file: MigrationFile; result: ProcessResult; attempts: number; lockTimedOut: boolean; lockTimeout: string };
}

/**
 * Applies files that all run in transactions with the same timeouts in one dbmate call (a
 * process per file costs ~60 ms); dbmate commits each file on its own, so after a lock timeout
 * the batch resumes at the file that timed out, after a growing wait.
 */
export async function runMigrateBatch(
  target: { url: string },
  files: MigrationFile[],
  settings: TimeoutSettings,
  readApplied: () => Promise<Set<string>>,
  onRetry?: (retry: LockRetry) => void,
): Promise<BatchOutcome> {
  if (files.length === 0) return { applied: [] };
  const url = urlWithTimeouts(target.url, settings, fileTimeouts(files[0].path));
  const lockTimeout = new URL(url).searchParams.get('lock_timeout') ?? '';
  const attempts = settings.lockRetries + 1;
  const applied: MigrationFile[] = [];
  let remaining = files;
  let attempt = 1;
  for (;;) {
    const result = await withMigrationSubset(remaining.map((f) => f.path), (dir) =>
      runDbmate({ url, migrationsDir: dir }, ['migrate']),
    );
    assertDbmateRan(result);
    // dbmate prints "Applied:" before it checks errors, so ask the database what happened.
    const appliedNow = result.ok ? null : await readApplied();
    const done = appliedNow ? remaining.filter((f) => appliedNow.has(f.version)) : remaining;
    applied.push(...done);
    if (result.ok) return { applied };
    const failed = remaining.find((f) => !appliedNow!.has(f.version));
    if (!failed) throw new MigrationError(`dbmate failed: ${parseDbmateError(result.stderr).message}`);
    if (done.length) attempt = 1; // the retry budget is per file
    const lockTimedOut = parseDbmateError(result.stderr).sqlState === LOCK_TIMEOUT_SQLSTATE;
    if (!lockTimedOut || attempt >= attempts) {
      return { applied, failure: { file: failed, result, attempts: attempt, lockTimedOut, lockTimeout } };
    }
    const waitMs = settings.retryWaitMs * 2 ** (attempt - 1);
    attempt += 1;
    onRetry?.({ fileName: failed.fileName, attempt, attempts, waitMs, lockTimeout });
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
    const fileKey = urlWithTimeouts('postgres://x/y', settings, fileTimeouts(file.path));
    if (key === fileKey) batches.at(-1)!.push(file);
    else batches.push([file]);
    key = fileKey;
  }
  return batches;
}
