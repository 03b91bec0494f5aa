import { withClient } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { RefusedError, UsageError } from '../errors.ts';
import type { Confirm } from '../target/prod-guard.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { listInvalidIndexes, refuseFailedMigrations } from './failed-migrations.ts';
import { readMigrations, type MigrationEntry } from './migration-directory.ts';
import { transactionFalseProblem, type MigrationFile } from './migration-file.ts';
import type { MigrationEvent } from './migration-events.ts';
import { migrationStatus, type MigrationStatus } from './migration-status.ts';
import type { TimeoutSettings } from './migration-timeouts.ts';
import { RUNNING_MARK } from './rb-migrations-table.ts';
import { schemaFileLag, type SchemaFileLag } from './schema-file-versions.ts';

export interface UpgradeOptions {
  dryRun?: boolean;
  yes?: boolean;
  confirm: Confirm;
  /** Receives the production target and plan when --yes confirms (prod-guard.ts). */
  /** Receives the production summary when --yes confirms (src/target/prod-guard.ts). */
  announce: (summary: string) => void;
  /** Go ahead although applied files were edited; their new checksums are recorded. */
  allowEdited?: boolean;
  /** Apply migrations older than the newest applied one to production too. */
  allowOutOfOrder?: boolean;
  /** Apply a failed transaction:false migration again (after it was resolved by hand). */
  retryFailed?: boolean;
  timeouts?: TimeoutSettings;
  onEvent?: (event: MigrationEvent) => void;
  /** Aborted on Ctrl-C / SIGTERM (src/interrupt.ts): rb settles what ran and throws InterruptedError. */
  signal?: AbortSignal;
}

export interface UpgradeResult {
  /** Migrations applied by this run (or that would be, with dryRun). */
  applied: MigrationEntry[];
  /** Pending migrations older than the newest applied one (a parallel branch, or skipped before rb adopted the database). */
  outOfOrder: MigrationEntry[];
  dryRun: boolean;
  schemaFile?: string;
  /** Set when db/schema.sql was rewritten because it did not match the database (not after applying). */
  schemaFileLag?: SchemaFileLag;
}

export function outOfOrderEntries(status: MigrationStatus): MigrationEntry[] {
  const older = new Set(status.rows.filter((row) => row.state === 'pending-out-of-order').map((row) => row.version));
  return status.pending.filter((entry) => older.has(entry.version));
}

function relative(config: Config, entry: MigrationEntry): string {
  return relativeToProject(config, entry.path);
}

/** Pre-flight: a transaction:false section with several statements cannot run as its author meant. */
function misbuiltSections(file: MigrationFile, shownAs: string): string[] {
  return (['up', 'down'] as const).flatMap((kind) => {
    const problem = transactionFalseProblem(file[kind], kind);
    return problem ? [`${shownAs}:${problem.line}: ${problem.message}`] : [];
  });
}

/** The checks that need no lock: edited applied files and, on production, out-of-order files. */
export function refuseUnsafe(config: Config, target: Target, status: MigrationStatus, options: UpgradeOptions): void {
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
        `${status.current} and not recorded there (a parallel branch?), so production would run them in an order no other database did; ` +
        'give the file a newer version (rename it to a current timestamp) or pass --allow-out-of-order',
    );
  }
}

/**
 * Applies pending migrations: every pending file and the recorded state are checked here; then
 * src/migrations/apply-pending.ts applies them under the migration lock (in dbmate batches of files
 * that share their timeouts; each transaction:false file alone), with lock-timeout retries,
 * checksums and failure records, and on the local database rewrites db/schema.sql.
 */
export async function upgrade(config: Config, target: Target, options: UpgradeOptions): Promise<UpgradeResult> {
  const status = await migrationStatus(config, target.url);
  // A database built without rb: the first migration would meet what exists (rb baseline / rb import).
  if (status.unadopted && status.pending.length) options.onEvent?.({ kind: 'unadopted', unadopted: status.unadopted, target });
  // Validate every pending file (sections, rb settings, transaction:false) before anything runs: a bad file changes nothing.
  const files = readMigrations(config.migrationsDir, status.pending, config.projectDir, misbuiltSections);
  // A file marked as running may be applied right now (by the run holding the lock, or by a killed
  // rb's dbmate): that is decided under the lock. Real failures are refused at once.
  if (status.failed.some((r) => r.error !== RUNNING_MARK) && !options.retryFailed) {
    refuseFailedMigrations(config, status.failed, await withClient(target.url, listInvalidIndexes));
  }
  if (status.pending.length) await identifyTarget(target); // production reached through DATABASE_URL is production (out-of-order refusal)
  refuseUnsafe(config, target, status, options);
  const outOfOrder = outOfOrderEntries(status);
  const acceptEdits = options.allowEdited ? status.edited : [];
  if (options.dryRun) return { applied: status.pending, outOfOrder, dryRun: true };
  if (files.length === 0 && acceptEdits.length === 0) {
    // Nothing to apply: one file read says whether db/schema.sql still records what is applied.
    if (target.isProduction || !schemaFileLag(config, status.applied)) return { applied: [], outOfOrder, dryRun: false };
    const { refreshSchemaFile } = await import('./apply-pending.ts');
    return { applied: [], outOfOrder, dryRun: false, ...(await refreshSchemaFile(config, target, options)) };
  }
  // What applies them (the guard, the lock, dbmate) is loaded only when there is something to apply.
  const { applyPending } = await import('./apply-pending.ts');
  return applyPending(config, target, options, files, acceptEdits);
}

