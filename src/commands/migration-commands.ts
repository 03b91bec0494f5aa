import type { Io } from '../io.ts';
import { migrationStatus, type MigrationState } from '../migrations/migration-status.ts';
import { loadConfig } from '../config.ts';
import { describeUrl } from '../target/database-url.ts';
import { interruptible } from '../interrupt.ts';
import { configAndTarget, relativeToProject, targetLabel, type TargetFlags } from './common.ts';

// What only upgrade, downgrade or new-migration need is imported inside them: `rb status` and
// `rb current` load no more than they use (see "What each command costs" in README.md).

export async function newMigrationCommand(words: string[], io: Io): Promise<void> {
  const { newMigration } = await import('../migrations/new-migration.ts');
  const config = loadConfig();
  const result = newMigration(config.migrationsDir, words);
  io.out(`Created ${relativeToProject(config, result.path)}`);
}

/** Flags of upgrade/downgrade that shape how migrations run. */
export interface MigrateFlags extends TargetFlags {
  dryRun?: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
}

export async function upgradeCommand(
  flags: MigrateFlags & { allowEdited?: boolean; allowOutOfOrder?: boolean; retryFailed?: boolean },
  io: Io,
): Promise<void> {
  const [{ upgrade }, { ensureUrlDatabase }, { describeMigrationEvent }, { resolveTimeoutSettings }] = await Promise.all([
    import('../migrations/upgrade.ts'), import('../local-db/ensure-database.ts'),
    import('../migrations/migration-events.ts'), import('../migrations/migration-timeouts.ts'),
  ]);
  const { config, target } = await configAndTarget(flags, io);
  // Like `dbmate up`: a local database that does not exist yet is created (never on production).
  if (target.kind === 'url' && !flags.dryRun && (await ensureUrlDatabase(target.url))) {
    io.out(`Created database ${describeUrl(target.url)}`);
  }
  // Ctrl-C / SIGTERM: dbmate ends with rb, rb settles what ran and says so (InterruptedError, 130 / 143).
  const result = await interruptible(({ signal }) =>
    upgrade(config, target, {
      dryRun: flags.dryRun,
      yes: flags.yes,
      confirm: io.confirm,
      allowEdited: flags.allowEdited,
      allowOutOfOrder: flags.allowOutOfOrder,
      retryFailed: flags.retryFailed,
      timeouts: resolveTimeoutSettings(config.projectDir, flags),
      onEvent: (event) => io.err(describeMigrationEvent(event)),
      signal,
    }),
  );
  for (const entry of result.outOfOrder) {
    io.err(`warning: ${entry.fileName} is older than the newest applied migration (a parallel branch); applying it anyway`);
  }
  if (result.applied.length === 0) {
    io.out(`${targetLabel(target)}: up to date, nothing to apply`);
    return;
  }
  const verb = result.dryRun ? 'Would apply' : 'Applied';
  for (const entry of result.applied) io.out(`${verb}: ${entry.fileName}`);
  if (result.dryRun) io.out(`Dry run: ${result.applied.length} pending migration(s) on ${targetLabel(target)}; nothing was changed`);
  else io.out(`${targetLabel(target)}: applied ${result.applied.length} migration(s)`);
  if (result.schemaFile) io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
}

export async function downgradeCommand(steps: string | undefined, flags: MigrateFlags & { allowEdited?: boolean }, io: Io): Promise<void> {
  const [{ downgrade, parseSteps }, { describeMigrationEvent }, { resolveTimeoutSettings }] = await Promise.all([
    import('../migrations/downgrade.ts'), import('../migrations/migration-events.ts'), import('../migrations/migration-timeouts.ts'),
  ]);
  const count = parseSteps(steps);
  const { config, target } = await configAndTarget(flags, io);
  const result = await interruptible(({ signal }) =>
    downgrade(config, target, {
      steps: count,
      dryRun: flags.dryRun,
      yes: flags.yes,
      confirm: io.confirm,
      timeouts: resolveTimeoutSettings(config.projectDir, flags),
      onEvent: (event) => io.err(describeMigrationEvent(event)),
      allowEdited: flags.allowEdited,
      signal,
    }),
  );
  const verb = result.dryRun ? 'Would roll back' : 'Rolled back';
  for (const file of result.rolledBack) io.out(`${verb}: ${file}`);
  if (result.schemaFile) io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
}

const STATE_LABEL: Record<MigrationState, string> = {
  applied: 'applied',
  pending: 'pending',
  'pending-out-of-order': 'pending (older than the newest applied: from a parallel branch)',
  'applied-file-missing': 'applied (file missing)',
};

export async function statusCommand(flags: TargetFlags, io: Io): Promise<void> {
  const { config, target } = await configAndTarget(flags, io);
  const status = await migrationStatus(config, target.url);
  io.out(`${targetLabel(target)}`);
  for (const row of status.rows) {
    const label = row.running
      ? 'running, or cut off when rb was killed (transaction:false; see rb upgrade)'
      : row.failed
        ? 'failed (transaction:false, part-way; see rb upgrade)'
        : row.edited
          ? 'applied (edited since it was applied)'
          : STATE_LABEL[row.state];
    io.out(`${label.padEnd(9)}  ${row.fileName ?? row.version}`);
  }
  const applied = status.rows.filter((r) => r.state === 'applied' || r.state === 'applied-file-missing').length;
  io.out(`${applied} applied, ${status.pending.length} pending; current version: ${status.current ?? 'none'}`);
}

export async function currentCommand(flags: TargetFlags, io: Io): Promise<void> {
  const { config, target } = await configAndTarget(flags, io);
  const status = await migrationStatus(config, target.url);
  io.out(status.current ?? 'none');
}
