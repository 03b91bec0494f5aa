import { withClient, type Sql } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { ConnectionError, MigrationError } from '../errors.ts';
import { guardProduction } from '../target/prod-guard.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { migrateBatches, runBatch, type BatchOutcome } from './apply-migration.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { fileChecksum } from './checksums.ts';
import { describeNonTransactionalFailure, listInvalidIndexes, refuseFailedMigrations } from './failed-migrations.ts';
import { listMigrations, readMigrations, type MigrationEntry } from './migration-directory.ts';
import type { MigrationFile } from './migration-file.ts';
import type { MigrationEvent } from './migration-events.ts';
import { withMigrationLock, type HeldLock, type LockOptions } from './migration-lock.ts';
import { combineStatus } from './migration-status.ts';
import { defaultTimeoutSettings } from './migration-timeouts.ts';
import {
  deleteRecords,
  ensureRbMigrationsTable,
  readRbRecords,
  recordApplied,
  recordFailed,
  RUNNING_MARK,
  writeSchemaFileWithoutBookkeeping,
} from './rb-migrations-table.ts';
import { describeFailure } from './run-migrations.ts';
import { schemaFileLag, type SchemaFileLag } from './schema-file-versions.ts';
import { describeInterruption, settleStoppedFile, stopCause, unlessStopped } from './stopped-migration.ts';
import { outOfOrderEntries, refuseUnsafe, type UpgradeOptions, type UpgradeResult } from './upgrade.ts';

/**
 * The half of `rb upgrade` that changes the database (src/migrations/upgrade.ts checks first and
 * loads this only when there is something to apply): the production guard, then the migration
 * lock, then dbmate batches with retries, checksums and failure records, then db/schema.sql.
 */
export async function applyPending(
  config: Config,
  target: Target,
  options: UpgradeOptions,
  files: MigrationFile[],
  acceptEdits: MigrationEntry[],
): Promise<UpgradeResult> {
  await unlessStopped(
    guardProduction(target, {
      action: 'apply migrations',
      plan: [
        ...acceptEdits.map((e) => `accept the edited ${e.fileName} (record its new checksum)`),
        ...files.map((f) => `apply ${f.fileName}`),
      ],
      yes: options.yes,
      confirm: options.confirm,
      announce: options.announce,
    }),
    options.signal,
    'nothing was applied',
  );
  return withMigrationLock(target.url, lockOptions(options), (lock) =>
    withClient(target.url, (sql) => applyLocked(config, target, options, sql, lock)),
  );
}

/** The lock's progress reports as migration events, and the stop signal. */
export function lockOptions(options: { onEvent?: (event: MigrationEvent) => void; signal?: AbortSignal }): LockOptions {
  return {
    onWait: (wait) => options.onEvent?.({ kind: 'lock-wait', ...wait }),
    onSessionWait: (wait) => options.onEvent?.({ kind: 'session-wait', ...wait }),
    signal: options.signal,
  };
}

/** Everything that changes the database, with the lock held: re-read the state first. */
async function applyLocked(
  config: Config,
  target: Target,
  options: UpgradeOptions,
  sql: Sql,
  lock: HeldLock,
): Promise<UpgradeResult> {
  await ensureRbMigrationsTable(sql);
  const status = combineStatus(listMigrations(config.migrationsDir), await readAppliedVersions(sql), await readRbRecords(sql));
  if (status.failed.length && !options.retryFailed) refuseFailedMigrations(config, status.failed, await listInvalidIndexes(sql));
  refuseUnsafe(config, target, status, options);
  if (options.retryFailed) {
    // A failed migration whose file is gone was resolved by removing it; the others run again below.
    const files = new Set(listMigrations(config.migrationsDir).map((e) => e.version));
    await deleteRecords(sql, status.failed.filter((r) => !files.has(r.version)).map((r) => r.version));
  }
  for (const entry of status.unrecorded) await recordApplied(sql, entry.version, entry.fileName, fileChecksum(entry.path));
  if (options.allowEdited) {
    for (const entry of status.edited) {
      await recordApplied(sql, entry.version, entry.fileName, fileChecksum(entry.path));
      options.onEvent?.({ kind: 'edit-accepted', fileName: entry.fileName });
    }
  }
  const files = readMigrations(config.migrationsDir, status.pending, config.projectDir);
  const settings = options.timeouts ?? defaultTimeoutSettings();
  const done: MigrationFile[] = [];
  const show = (filePath: string) => relativeToProject(config, filePath);
  for (const batch of migrateBatches(files, settings)) {
    await lock.assertHeld();
    const transactional = batch[0].up.options.transaction !== 'false';
    const invalidBefore = transactional ? [] : await listInvalidIndexes(sql);
    if (!transactional) {
      // Recorded before it runs: if rb dies (kill -9) or the connection goes while it runs, the
      // next run finds it marked and refuses to apply it a second time (RUNNING_MARK).
      await recordFailed(sql, {
        version: batch[0].version, fileName: batch[0].fileName, checksum: fileChecksum(batch[0].path),
        error: RUNNING_MARK, invalidIndexes: [],
      });
    }
    // A transaction:false file may have run part-way: never retried automatically.
    const outcome = await runBatch(target.url, batch, 'migrate', transactional ? settings : { ...settings, lockRetries: 0 }, {
      onRetry: (retry) => options.onEvent?.({ kind: 'lock-retry', ...retry }),
      signal: options.signal,
    });
    if (outcome.failure?.failure.connectionLost) throw connectionLost(done, outcome, transactional);
    for (const file of outcome.done) await recordApplied(sql, file.version, file.fileName, fileChecksum(file.path));
    done.push(...outcome.done);
    if (outcome.stopped) {
      const why = stopCause(options.signal, outcome.stopped.signal);
      const marked = transactional ? undefined : { file: batch[0], invalidBefore, cause: why.cause };
      const settled = await settleStoppedFile(sql, 'migrate', outcome.stopped.current, marked);
      if (settled.finished) done.push(settled.finished);
      throw describeInterruption(why, { config, command: 'migrate', files, done, cutOff: settled.cutOff, isProduction: target.isProduction });
    }
    if (!outcome.failure) continue;
    const { failure, attempts, lockTimedOut, lockTimeout } = outcome.failure;
    if (done.length && !target.isProduction) await writeSchemaFileWithoutBookkeeping(config, target.url);
    const file = failure.file;
    if (!file) {
      if (!transactional) await deleteRecords(sql, [batch[0].version]); // it never started
      throw new MigrationError(`${describeFailure(failure, show)}; nothing more was applied; fix the problem and run rb upgrade again`);
    }
    const text = describeFailure(failure, show);
    if (!transactional) {
      const before = new Set(invalidBefore);
      const newInvalid = (await listInvalidIndexes(sql)).filter((name) => !before.has(name));
      await recordFailed(sql, { version: file.version, fileName: file.fileName, checksum: fileChecksum(file.path), error: text, invalidIndexes: newInvalid });
      throw new MigrationError(describeNonTransactionalFailure(text, file.fileName, newInvalid));
    }
    const rest = restOf(files, done);
    if (lockTimedOut) {
      throw new MigrationError(
        `${text}; ${file.fileName} could not get a lock within lock_timeout ${lockTimeout} in ${attempts} attempts and was rolled back${rest}; ` +
          'another session holds a lock on a table it changes (see pg_locks / pg_stat_activity): run rb upgrade again once that session is done, ' +
          'or allow a longer wait with --lock-timeout 30s or a line "-- rb: lock_timeout=30s" in the file',
      );
    }
    throw new MigrationError(`${text}; ${file.fileName} was rolled back${rest}; fix it and run rb upgrade again`);
  }
  const applied = done.map((f) => status.pending.find((e) => e.version === f.version)!);
  const outOfOrder = outOfOrderEntries(status).filter((e) => done.some((f) => f.version === e.version));
  // Nothing left to apply (a killed rb's dbmate applied it while this run waited): the file may
  // still be behind. Written under the lock: concurrent runs must not dump over each other.
  if (done.length === 0) return { applied, outOfOrder, dryRun: false, ...(await rewriteIfBehind(config, target, sql)) };
  const schemaFile = target.isProduction ? undefined : await writeSchemaFileWithoutBookkeeping(config, target.url);
  return { applied, outOfOrder, dryRun: false, schemaFile };
}

/**
 * db/schema.sql rewritten when it does not record the migrations applied to the database (see
 * src/migrations/schema-file-versions.ts), as a normal upgrade writes it: never for production.
 * `sql` is connected to the target while this run holds the migration lock.
 */
async function rewriteIfBehind(config: Config, target: Target, sql: Sql): Promise<{ schemaFile?: string; schemaFileLag?: SchemaFileLag }> {
  const lag = schemaFileLag(config, await readAppliedVersions(sql));
  if (!lag || target.isProduction) return {};
  return { schemaFile: await writeSchemaFileWithoutBookkeeping(config, target.url), schemaFileLag: lag };
}

/**
 * rb upgrade with nothing to apply, when db/schema.sql does not match the database: rewrites it
 * under the migration lock (after any dbmate of a killed rb has finished), unless the target
 * turns out to be production.
 */
export async function refreshSchemaFile(
  config: Config,
  target: Target,
  options: { onEvent?: (event: MigrationEvent) => void; signal?: AbortSignal },
): Promise<{ schemaFile?: string; schemaFileLag?: SchemaFileLag }> {
  await identifyTarget(target);
  if (target.isProduction) return {};
  return withMigrationLock(target.url, lockOptions(options), () => withClient(target.url, (sql) => rewriteIfBehind(config, target, sql)));
}

/** ", 2 earlier migration(s) stay applied, 1 later one(s) not run" (the failed file is neither). */
function restOf(files: MigrationFile[], done: MigrationFile[]): string {
  const notRun = files.length - done.length - 1;
  return `${done.length ? `, ${done.length} earlier migration(s) stay applied` : ''}${notRun ? `, ${notRun} later one(s) not run` : ''}`;
}

/**
 * The server went away while dbmate ran (a restart, a terminated backend). rb's own connection
 * went with it, so nothing more is recorded here: a transactional file was rolled back by the
 * server; a transaction:false one keeps the mark rb wrote before it ran; files dbmate applied
 * before are in its tracking table and adopted by the next run.
 */
function connectionLost(done: MigrationFile[], outcome: BatchOutcome, transactional: boolean): ConnectionError {
  const failure = outcome.failure!.failure;
  const applied = [...done, ...outcome.done];
  const file = failure.file;
  const what = !file
    ? 'before dbmate started a migration'
    : transactional
      ? `while ${file.fileName} ran; the server rolled it back`
      : `while ${file.fileName} ran outside a transaction (transaction:false); it may have run part-way and is recorded as failed (rb upgrade refuses it until resolved)`;
  const appliedText = applied.length ? `${applied.length} migration(s) before it stay applied` : 'nothing was applied';
  return new ConnectionError(
    `lost the connection to the database ${what}: ${failure.message}${failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : ''}; ` +
      `${appliedText}; once the server is reachable, run rb status and rb upgrade again`,
  );
}
