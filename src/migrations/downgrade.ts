import { withClient } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { ConnectionError, MigrationError, RefusedError, UsageError } from '../errors.ts';
import { guardProduction, type Confirm } from '../target/prod-guard.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { runBatch } from './apply-migration.ts';
import { compareVersions, listMigrations, readMigrations } from './migration-directory.ts';
import { isEmptySection, type MigrationFile } from './migration-file.ts';
import { withMigrationLock } from './migration-lock.ts';
import { defaultTimeoutSettings, type TimeoutSettings } from './migration-timeouts.ts';
import { fileChecksum } from './checksums.ts';
import { deleteRecords, readRbRecords, writeSchemaFileWithoutBookkeeping } from './rb-migrations-table.ts';
import type { MigrationEvent } from './migration-events.ts';
import { describeFailure } from './run-migrations.ts';
import { describeInterruption, settleStoppedFile, stopCause, unlessStopped } from './stopped-migration.ts';
import { lockOptions, refreshSchemaFile } from './apply-pending.ts';
import { describeOwners } from './migration-sessions.ts';
import { describeSchemaFileRewrite, schemaFileLag, type SchemaFileLag } from './schema-file-versions.ts';

export interface DowngradeOptions {
  steps: number;
  yes?: boolean;
  dryRun?: boolean;
  confirm: Confirm;
  /** Receives the production target and plan when --yes confirms (prod-guard.ts). */
  /** Receives the production summary when --yes confirms (src/target/prod-guard.ts). */
  announce: (summary: string) => void;
  timeouts?: TimeoutSettings;
  onEvent?: (event: MigrationEvent) => void;
  /** On production, roll back files edited since they were applied (locally that is only a warning). */
  allowEdited?: boolean;
  /** Aborted on Ctrl-C / SIGTERM (src/interrupt.ts): rb settles what ran and throws InterruptedError. */
  signal?: AbortSignal;
}

export interface DowngradeResult {
  rolledBack: string[];
  dryRun: boolean;
  schemaFile?: string;
  /** Set when db/schema.sql was rewritten because it did not match the database (not after rolling back). */
  schemaFileLag?: SchemaFileLag;
}

/** Accepts "2", "-1" (Alembic's relative form) or nothing (1). */
export function parseSteps(value: string | number | undefined): number {
  if (value === undefined || value === '') return 1;
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text) || Number(text) === 0) {
    throw new UsageError(`downgrade steps must be a number of migrations, 1 or more, such as 1, 2 or -1 (got "${text}")`);
  }
  return Math.abs(Number(text));
}

/**
 * Rolls back the newest `steps` applied migrations one at a time (dbmate rolls back one per
 * call, dbmate issue 18) and stops at the first failure, leaving the last good version.
 */
export async function downgrade(config: Config, target: Target, options: DowngradeOptions): Promise<DowngradeResult> {
  const [appliedVersions, records] = await withClient(target.url, (sql) =>
    Promise.all([readAppliedVersions(sql), readRbRecords(sql)]),
  );
  const applied = appliedVersions.sort(compareVersions);
  if (applied.length === 0) {
    // A killed rb's dbmate may have rolled back the last migration after db/schema.sql was written.
    const lag = options.dryRun ? undefined : schemaFileLag(config, applied);
    const refreshed = lag ? await refreshSchemaFile(config, target, options) : {};
    throw new UsageError(
      `nothing to roll back: no migration is applied to this database${refreshed.schemaFileLag ? `; ${lowerFirst(describeSchemaFileRewrite(config, refreshed.schemaFileLag))}` : ''}`,
    );
  }
  if (options.steps > applied.length) {
    throw new UsageError(
      `cannot roll back ${options.steps} migrations: only ${applied.length} applied; run rb downgrade ${applied.length} to roll back all of them`,
    );
  }
  const entries = listMigrations(config.migrationsDir);
  const byVersion = new Map(entries.map((e) => [e.version, e]));
  const toRollBack = applied.slice(-options.steps).reverse();
  const missing = toRollBack.filter((v) => !byVersion.has(v));
  if (missing.length) {
    throw new UsageError(
      `cannot roll back version ${missing.join(', ')}: no file for it in ${relativeToProject(config, config.migrationsDir)}; restore the file (git log -- ${relativeToProject(config, config.migrationsDir)}) first`,
    );
  }
  const files = readMigrations(config.migrationsDir, toRollBack.map((v) => byVersion.get(v)!), config.projectDir);
  refuseIrreversible(config, files);
  // A file edited after it was applied may have a down section that no longer undoes what ran.
  const edited = files.filter((f) => {
    const record = records.get(f.version);
    return record?.state === 'applied' && record.checksum !== fileChecksum(f.path);
  });
  await identifyTarget(target); // production reached through DATABASE_URL is production (edited-file refusal, no schema.sql)
  if (edited.length && target.isProduction && !options.allowEdited) {
    const names = edited.map((f) => f.fileName).join(', ');
    throw new RefusedError(
      `refusing to roll back ${names} on production: edited after it was applied (the checksum rb recorded differs), so its down section may not undo what production ran; put the applied text back (git checkout -- db/migrations/<file>) or pass --allow-edited`,
    );
  }
  for (const file of edited) options.onEvent?.({ kind: 'edited-rollback', fileName: file.fileName });
  if (options.dryRun) return { rolledBack: files.map((f) => f.fileName), dryRun: true };
  await unlessStopped(
    guardProduction(target, {
      action: `roll back ${files.length} migration(s)`,
      plan: files.map((f) => `roll back ${f.fileName}`),
      yes: options.yes,
      confirm: options.confirm,
      announce: options.announce,
    }),
    options.signal,
    'nothing was rolled back',
  );
  const done: MigrationFile[] = [];
  let schemaFile: string | undefined;
  const show = (filePath: string) => relativeToProject(config, filePath);
  await withMigrationLock(target.url, lockOptions(options), (lock) =>
    withClient(target.url, async (sql) => {
      // Another rb may have migrated while this one waited: roll back only what was planned.
      const appliedNow = (await readAppliedVersions(sql)).sort(compareVersions);
      if (appliedNow.join() !== applied.join()) {
        const changed = describeChange(applied, appliedNow, (v) => byVersion.get(v)?.fileName ?? v);
        const who = lock.earlierSessions.length ? describeOwners(lock.earlierSessions) : 'another rb';
        await deleteRecords(sql, applied.filter((v) => !appliedNow.includes(v))); // rb_migrations follows what is applied
        const rewritten = target.isProduction ? '' : `; ${lowerFirst(await rewriteSchemaFile(config, target.url, appliedNow))}`;
        throw new MigrationError(
          `${who} ${changed} while this rb waited for ${lock.earlierSessions.length ? 'it to finish' : 'the migration lock'}; ` +
            `this rb rolled back nothing${rewritten}; run rb status, then rb downgrade again if there is more to roll back`,
        );
      }
      for (const file of files) {
        await lock.assertHeld();
        const outcome = await runBatch(target.url, [file], 'rollback', options.timeouts ?? defaultTimeoutSettings(), {
          onRetry: (retry) => options.onEvent?.({ kind: 'lock-retry', ...retry }),
          signal: options.signal,
        });
        const before = done.length ? ` (rolled back before it: ${done.map((f) => f.fileName).join(', ')})` : '';
        const failure = outcome.failure?.failure;
        if (failure?.connectionLost) {
          throw new ConnectionError(
            `lost the connection to the database while rolling back ${file.fileName}: ${failure.message}; ` +
              `${file.down.options.transaction === 'false' ? 'its down section runs outside a transaction and may have run part-way' : 'the server undid its unfinished down section, so it stays applied'}` +
              `${before}; once the server is reachable, run rb status and rb downgrade again`,
          );
        }
        if (outcome.stopped) {
          const settled = await settleStoppedFile(sql, 'rollback', outcome.stopped.current, undefined);
          if (settled.finished) done.push(settled.finished);
          throw describeInterruption(stopCause(options.signal, outcome.stopped.signal), { config, command: 'rollback', files, done, cutOff: settled.cutOff, isProduction: target.isProduction });
        }
        if (failure) {
          if (!target.isProduction && done.length) await writeSchemaFileWithoutBookkeeping(config, target.url);
          throw new MigrationError(
            `${describeFailure(failure, show)}; rolling back ${file.fileName} failed and changed nothing${before}; fix its down section and run rb downgrade again`,
          );
        }
        await deleteRecords(sql, [file.version]);
        done.push(file);
      }
      // Written under the lock: concurrent runs must not dump over each other.
      if (!target.isProduction) schemaFile = await writeSchemaFileWithoutBookkeeping(config, target.url);
    }),
  );
  return { rolledBack: done.map((f) => f.fileName), dryRun: false, schemaFile };
}

/**
 * A file marked `-- rb:irreversible <reason>` has no down that undoes it: refuse, as Rails does
 * (ActiveRecord::IrreversibleMigration). So is a file whose down is empty (dbmate would "roll it
 * back" by forgetting it, keeping its changes, and the next upgrade would fail on them).
 */
function refuseIrreversible(config: Config, files: MigrationFile[]): void {
  const lines: string[] = [];
  for (const f of files) {
    const mark = f.directives.irreversible;
    if (mark) {
      lines.push(
        `${relativeToProject(config, f.path)}:${mark.line}: marked irreversible${mark.reason ? ` (${mark.reason})` : ''}, so rb downgrade will not roll it back` +
          '; nothing was rolled back; undo its change in a new migration (rb new-migration), or restore a dump taken before it',
      );
    } else if (isEmptySection(f.down) && !isEmptySection(f.up)) {
      lines.push(
        `${relativeToProject(config, f.path)}:${f.down.line}: the down section is empty, so a rollback would only forget the migration and keep its changes` +
          "; nothing was rolled back; write SQL that undoes the up there (or mark it '-- rb:irreversible <reason>')",
      );
    }
  }
  if (lines.length) throw new UsageError(lines.join('\n'));
}

/** "rolled back 20240101000003_later.sql", "applied 20240101000004_x.sql": what changed between two readings. */
function describeChange(before: string[], after: string[], name: (version: string) => string): string {
  const removed = before.filter((v) => !after.includes(v)).map(name);
  const added = after.filter((v) => !before.includes(v)).map(name);
  return [
    ...(removed.length ? [`rolled back ${removed.join(', ')}`] : []),
    ...(added.length ? [`applied ${added.join(', ')}`] : []),
  ].join(' and ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** db/schema.sql rewritten after another run changed the database; the line that says so. */
async function rewriteSchemaFile(config: Config, url: string, applied: string[]): Promise<string> {
  const lag = schemaFileLag(config, applied);
  await writeSchemaFileWithoutBookkeeping(config, url);
  return lag ? describeSchemaFileRewrite(config, lag) : `Wrote ${relativeToProject(config, config.schemaFile)}`;
}
