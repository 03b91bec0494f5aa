import { withClient, type Sql } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { MigrationError, RefusedError, UsageError } from '../errors.ts';
import { guardProduction, type Confirm } from '../target/prod-guard.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { migrateBatches, runMigrateBatch } from './apply-migration.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { fileChecksum } from './checksums.ts';
import { parseDbmateError } from './dbmate.ts';
import { describeNonTransactionalFailure, listInvalidIndexes, refuseFailedMigrations } from './failed-migrations.ts';
import { listMigrations, readMigrations, type MigrationEntry } from './migration-directory.ts';
import { firstStatementLine, type MigrationFile } from './migration-file.ts';
import type { MigrationEvent } from './migration-events.ts';
import { withMigrationLock } from './migration-lock.ts';
import { combineStatus, migrationStatus, type MigrationStatus } from './migration-status.ts';
import { defaultTimeoutSettings, fileTimeouts, type TimeoutSettings } from './migration-timeouts.ts';
import {
  deleteRecords,
  ensureRbMigrationsTable,
  readRbRecords,
  recordApplied,
  recordFailed,
  writeSchemaFileWithoutBookkeeping,
} from './rb-migrations-table.ts';

export interface UpgradeOptions {
  dryRun?: boolean;
  yes?: boolean;
  confirm: Confirm;
  /** Go ahead although applied files were edited; their new checksums are recorded. */
  allowEdited?: boolean;
  /** Apply migrations older than the newest applied one to production too. */
  allowOutOfOrder?: boolean;
  /** Apply a failed transaction:false migration again (after it was resolved by hand). */
  retryFailed?: boolean;
  timeouts?: TimeoutSettings;
  onEvent?: (event: MigrationEvent) => void;
}

export interface UpgradeResult {
  /** Migrations applied by this run (or that would be, with dryRun). */
  applied: MigrationEntry[];
  /** Pending migrations older than the newest applied one (a parallel branch). */
  outOfOrder: MigrationEntry[];
  dryRun: boolean;
  schemaFile?: string;
}

/** Formats a dbmate SQL failure as file:line:column: message (SQLSTATE). */
export function describeSqlFailure(config: Config, file: MigrationFile, section: 'up' | 'down', stderr: string): string {
  const error = parseDbmateError(stderr);
  const relative = relativeToProject(config, file.path);
  const sectionStart = file[section].line;
  // Without a position from PostgreSQL (e.g. DROP of a missing table) point at the section's first statement.
  const where =
    error.sectionLine !== undefined
      ? `${relative}:${sectionStart + error.sectionLine - 1}:${error.column}`
      : `${relative}:${firstStatementLine(file[section])}`;
  return `${where}: ${error.message}${error.sqlState ? ` (SQLSTATE ${error.sqlState})` : ''}`;
}

function outOfOrderEntries(status: MigrationStatus): MigrationEntry[] {
  const older = new Set(status.rows.filter((row) => row.state === 'pending-out-of-order').map((row) => row.version));
  return status.pending.filter((entry) => older.has(entry.version));
}

function relative(config: Config, entry: MigrationEntry): string {
  return relativeToProject(config, entry.path);
}

/** The checks that need no lock: edited applied files and, on production, out-of-order files. */
function refuseUnsafe(config: Config, target: Target, status: MigrationStatus, options: UpgradeOptions): void {
  if (status.edited.length && !options.allowEdited) {
    const names = status.edited.map((e) => relative(config, e));
    throw new UsageError(
      `${names.join(', ')} ${names.length > 1 ? 'were' : 'was'} edited after ${names.length > 1 ? 'they were' : 'it was'} applied to this database ` +
        `(the checksum rb recorded differs); put the applied text back (git checkout -- <file>) and make the change in a new migration, ` +
        'or pass --allow-edited to accept the edit',
    );
  }
  const outOfOrder = outOfOrderEntries(status);
  if (target.isProduction && outOfOrder.length && !options.allowOutOfOrder) {
    throw new RefusedError(
      `refusing to apply ${outOfOrder.map((e) => e.fileName).join(', ')} to production: older than the newest applied migration ` +
        `${status.current} (written on a parallel branch), so production would run them in an order no other database did; ` +
        'give the file a newer version (rename it to a current timestamp) or pass --allow-out-of-order',
    );
  }
}

/**
 * Applies pending migrations under the migration lock (in dbmate batches of files that share
 * their timeouts; each transaction:false file alone), with lock-timeout retries, checksums and
 * failure records; on the local database rewrites db/schema.sql.
 */
export async function upgrade(config: Config, target: Target, options: UpgradeOptions): Promise<UpgradeResult> {
  const status = await migrationStatus(config, target.url);
  // Validate every pending file (sections and rb settings) before anything runs: a bad file changes nothing.
  const files = readMigrations(config.migrationsDir, status.pending);
  for (const file of files) fileTimeouts(file.path);
  if (status.failed.length && !options.retryFailed) {
    refuseFailedMigrations(config, status.failed, await withClient(target.url, listInvalidIndexes));
  }
  if (status.pending.length) await identifyTarget(target); // production reached through DATABASE_URL is production (out-of-order refusal)
  refuseUnsafe(config, target, status, options);
  const outOfOrder = outOfOrderEntries(status);
  const acceptEdits = options.allowEdited ? status.edited : [];
  if (options.dryRun || (files.length === 0 && acceptEdits.length === 0)) {
    return { applied: status.pending, outOfOrder, dryRun: Boolean(options.dryRun) };
  }
  await guardProduction(target, {
    action: 'apply migrations',
    plan: [
      ...acceptEdits.map((e) => `accept the edited ${e.fileName} (record its new checksum)`),
      ...files.map((f) => `apply ${f.fileName}`),
    ],
    yes: options.yes,
    confirm: options.confirm,
  });
  return withMigrationLock(target.url, { onWait: (wait) => options.onEvent?.({ kind: 'lock-wait', ...wait }) }, () =>
    withClient(target.url, (sql) => applyLocked(config, target, options, sql)),
  );
}

/** Everything that changes the database, with the lock held: re-read the state first. */
async function applyLocked(
  config: Config,
  target: Target,
  options: UpgradeOptions,
  sql: Sql,
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
  const files = readMigrations(config.migrationsDir, status.pending);
  const settings = options.timeouts ?? defaultTimeoutSettings();
  const done: MigrationFile[] = [];
  const readApplied = async () => new Set(await readAppliedVersions(sql));
  for (const batch of migrateBatches(files, settings)) {
    const transactional = batch[0].up.options.transaction !== 'false';
    const invalidBefore = transactional ? [] : await listInvalidIndexes(sql);
    // A transaction:false file may have run part-way: never retried automatically.
    const outcome = await runMigrateBatch(
      { url: target.url },
      batch,
      transactional ? settings : { ...settings, lockRetries: 0 },
      readApplied,
      (retry) => options.onEvent?.({ kind: 'lock-retry', ...retry }),
    );
    for (const file of outcome.applied) await recordApplied(sql, file.version, file.fileName, fileChecksum(file.path));
    done.push(...outcome.applied);
    if (!outcome.failure) continue;
    const { file, result, attempts, lockTimedOut, lockTimeout } = outcome.failure;
    if (done.length && !target.isProduction) await writeSchemaFileWithoutBookkeeping(config, target.url);
    const failure = describeSqlFailure(config, file, 'up', result.stderr);
    if (!transactional) {
      const before = new Set(invalidBefore);
      const newInvalid = (await listInvalidIndexes(sql)).filter((name) => !before.has(name));
      await recordFailed(sql, { version: file.version, fileName: file.fileName, checksum: fileChecksum(file.path), error: failure, invalidIndexes: newInvalid });
      throw new MigrationError(describeNonTransactionalFailure(failure, file.fileName, newInvalid));
    }
    const notRun = files.length - done.length - 1;
    const rest =
      `${done.length ? `, ${done.length} earlier migration(s) stay applied` : ''}${notRun ? `, ${notRun} later one(s) not run` : ''}`;
    if (lockTimedOut) {
      throw new MigrationError(
        `${failure}; ${file.fileName} could not get a lock within lock_timeout ${lockTimeout} in ${attempts} attempts and was rolled back${rest}; ` +
          'another session holds a lock on a table it changes (see pg_locks / pg_stat_activity): run rb upgrade again once that session is done, ' +
          'or allow a longer wait with --lock-timeout 30s or a line "-- rb: lock_timeout=30s" in the file',
      );
    }
    throw new MigrationError(`${failure}; ${file.fileName} was rolled back${rest}; fix it and run rb upgrade again`);
  }
  const applied = done.map((f) => status.pending.find((e) => e.version === f.version)!);
  const outOfOrder = outOfOrderEntries(status).filter((e) => done.some((f) => f.version === e.version));
  // Written under the lock: concurrent runs must not dump over each other.
  const schemaFile = target.isProduction || done.length === 0 ? undefined : await writeSchemaFileWithoutBookkeeping(config, target.url);
  return { applied, outOfOrder, dryRun: false, schemaFile };
}
