import { existsSync } from 'node:fs';
import path from 'node:path';
import { RbError } from '../errors.ts';
import type { Io } from '../io.ts';
import type { UpgradeResult } from '../migrations/upgrade.ts';
import { migrationStatus, type MigrationState } from '../migrations/migration-status.ts';
import { loadConfig, type Config } from '../config.ts';
import { describeUrl } from '../target/database-url.ts';
import { interruptible } from '../interrupt.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { PGTYPED_CONFIG_FILE } from '../types/pgtyped-config.ts';
import { configAndTarget, refuseTargetFlags, relativeToProject, targetJson, targetLabel, type TargetFlags } from './common.ts';
import { describeUnadopted } from '../adopt/adoption-hint.ts';
import { describeSchemaFileRewrite } from '../migrations/schema-file-versions.ts';

// What only upgrade, downgrade or new-migration need is imported inside them: `rb status` and
// `rb current` load no more than they use (see "What each command costs" in README.md).

export async function newMigrationCommand(words: string[], flags: TargetFlags, io: Io): Promise<void> {
  refuseTargetFlags('new-migration', flags, 'writes a file and touches no database');
  const { newMigration } = await import('../migrations/new-migration.ts');
  const config = loadConfig();
  const result = newMigration(config.migrationsDir, words, config.schemas[0] ?? 'public');
  io.out(`Created ${relativeToProject(config, result.path)}`);
}

/** Flags of upgrade/downgrade that shape how migrations run. */
export interface MigrateFlags extends TargetFlags {
  dryRun?: boolean;
  lockTimeout?: string;
  statementTimeout?: string;
  json?: boolean;
}

/** What `rb upgrade --json` reports about the query types it regenerated (null: not regenerated). */
interface TypesJson {
  written: string[];
  removed: string[];
  unchanged: number;
  warnings: string[];
}

/**
 * After migrating a database that is not production, regenerate the query types when the app has
 * a pgtyped config, as `rb types` would (in-process). The cache makes an up-to-date run read files
 * only: no pgtyped, no shadow database. A production database reached through DATABASE_URL is
 * recognised first (identifyTarget) and skipped.
 */
async function regenerateTypes(config: Config, target: Target, io: Io, json: boolean): Promise<TypesJson | null> {
  if (target.isProduction || !existsSync(path.join(config.projectDir, PGTYPED_CONFIG_FILE))) return null;
  const { generateTypes } = await import('../types/generate-types.ts');
  const { reportTypes } = await import('./types-command.ts');
  let production = false;
  const result = await interruptible(({ signal }) => generateTypes(config, {
    signal,
    serverUrl: async () => {
      await identifyTarget(target);
      production = target.isProduction;
      if (production) throw new TypesOnProduction();
      return target.url;
    },
  })).catch((error: unknown) => {
    if (error instanceof TypesOnProduction) return null;
    throw error;
  });
  if (!result || production) return null;
  const quietIo: Io = json ? { ...io, out: () => {} } : io;
  const error = reportTypes(result, quietIo, true);
  if (error) throw error;
  return {
    written: result.files.filter((f) => f.status === 'written').map((f) => f.output),
    removed: result.files.filter((f) => f.status === 'removed').map((f) => f.output),
    unchanged: result.files.filter((f) => f.status === 'unchanged' || f.status === 'no-queries').length,
    warnings: result.warnings,
  };
}

/** The target turned out to be production's database: types are never generated there. */
class TypesOnProduction extends Error {}

export async function upgradeCommand(
  flags: MigrateFlags & { allowEdited?: boolean; allowOutOfOrder?: boolean; retryFailed?: boolean; analyze?: boolean; types?: boolean },
  io: Io,
): Promise<void> {
  if (flags.analyze) return (await import('./analyze-command.ts')).analyzeCommand(flags, io);
  const [{ upgrade }, { ensureUrlDatabase }, { describeMigrationEvent }, { resolveTimeoutSettings }] = await Promise.all([
    import('../migrations/upgrade.ts'), import('../local-db/ensure-database.ts'),
    import('../migrations/migration-events.ts'), import('../migrations/migration-timeouts.ts'),
  ]);
  const { config, target } = await configAndTarget(flags, io);
  const json = Boolean(flags.json);
  // Like `dbmate up`: a local database that does not exist yet is created (never on production).
  const createdDatabase = target.kind === 'url' && !flags.dryRun && (await ensureUrlDatabase(target.url));
  if (createdDatabase && !json) io.out(`Created database ${describeUrl(target.url)}`);
  // Ctrl-C / SIGTERM: dbmate ends with rb, rb settles what ran and says so (InterruptedError, 130 / 143).
  const result: UpgradeResult = await interruptible(({ signal }) =>
    upgrade(config, target, {
      dryRun: flags.dryRun,
      yes: flags.yes,
      confirm: io.confirm,
      announce: io.err,
      allowEdited: flags.allowEdited,
      allowOutOfOrder: flags.allowOutOfOrder,
      retryFailed: flags.retryFailed,
      timeouts: resolveTimeoutSettings(config.projectDir, flags),
      onEvent: (event) => io.err(describeMigrationEvent(event)),
      signal,
    }),
  );
  for (const entry of result.outOfOrder) {
    io.err(`warning: ${entry.fileName} is older than the newest applied migration and not recorded on this database (a parallel branch?); applying it anyway`);
  }
  if (!json) {
    const verb = result.dryRun ? 'Would apply' : 'Applied';
    if (result.applied.length === 0) io.out(`${targetLabel(target)}: up to date, nothing to apply`);
    for (const entry of result.applied) io.out(`${verb}: ${entry.fileName}`);
    if (result.applied.length && result.dryRun) io.out(`Dry run: ${result.applied.length} pending migration(s) on ${targetLabel(target)}; nothing was changed`);
    else if (result.applied.length) io.out(`${targetLabel(target)}: applied ${result.applied.length} migration(s)`);
    if (result.schemaFile) {
      io.out(result.schemaFileLag ? describeSchemaFileRewrite(config, result.schemaFileLag) : `Wrote ${relativeToProject(config, result.schemaFile)}`);
    }
  }
  const types = flags.types === false || result.dryRun ? null : await regenerateTypes(config, target, io, json);
  if (json) {
    io.out(JSON.stringify({
      target: targetJson(target),
      dryRun: result.dryRun,
      createdDatabase,
      applied: result.applied.map((e) => e.fileName),
      outOfOrder: result.outOfOrder.map((e) => e.fileName),
      schemaFile: result.schemaFile ? relativeToProject(config, result.schemaFile) : null,
      types,
    }, null, 2));
  }
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
      announce: io.err,
      timeouts: resolveTimeoutSettings(config.projectDir, flags),
      onEvent: (event) => io.err(describeMigrationEvent(event)),
      allowEdited: flags.allowEdited,
      signal,
    }),
  );
  if (flags.json) {
    io.out(JSON.stringify({
      target: targetJson(target),
      dryRun: result.dryRun,
      rolledBack: result.rolledBack,
      schemaFile: result.schemaFile ? relativeToProject(config, result.schemaFile) : null,
    }, null, 2));
    return;
  }
  const verb = result.dryRun ? 'Would roll back' : 'Rolled back';
  for (const file of result.rolledBack) io.out(`${verb}: ${file}`);
  if (result.schemaFile) {
    io.out(result.schemaFileLag ? describeSchemaFileRewrite(config, result.schemaFileLag) : `Wrote ${relativeToProject(config, result.schemaFile)}`);
  }
}

const STATE_LABEL: Record<MigrationState, string> = {
  applied: 'applied',
  pending: 'pending',
  'pending-out-of-order': 'pending (older than the newest applied; not recorded on this database)',
  'applied-file-missing': 'applied (file missing)',
};

/** rb status --exit-code with pending migrations: the status is printed; main prints this line and exits 1. */
class PendingMigrationsError extends RbError {}

export async function statusCommand(flags: TargetFlags & { drift?: boolean; json?: boolean; exitCode?: boolean }, io: Io): Promise<void> {
  const { config, target } = await configAndTarget(flags, io);
  const status = await migrationStatus(config, target.url);
  const applied = status.rows.filter((r) => r.state === 'applied' || r.state === 'applied-file-missing').length;
  if (flags.json) {
    const drift = flags.drift ? await (await import('./drift-command.ts')).driftForJson(config, target, io) : undefined;
    io.out(JSON.stringify({
      target: targetJson(target),
      migrations: status.rows.map((row) => ({
        version: row.version,
        file: row.fileName ?? null,
        state: row.state,
        edited: Boolean(row.edited),
        failed: Boolean(row.failed) && !row.running,
        running: Boolean(row.running),
      })),
      applied,
      pending: status.pending.length,
      current: status.current,
      ...(drift ? { drift: drift.result } : {}),
    }, null, 2));
    if (drift?.failure) throw drift.failure;
  } else {
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
    io.out(`${applied} applied, ${status.pending.length} pending; current version: ${status.current ?? 'none'}`);
    if (status.unadopted) io.err(describeUnadopted(status.unadopted, target));
    if (flags.drift) await (await import('./drift-command.ts')).printDriftForStatus(config, target, io);
  }
  if (flags.exitCode && status.pending.length) {
    throw new PendingMigrationsError(`${status.pending.length} migration(s) pending (--exit-code); apply them with rb upgrade`);
  }
}

export async function currentCommand(flags: TargetFlags & { json?: boolean }, io: Io): Promise<void> {
  const { config, target } = await configAndTarget(flags, io);
  const status = await migrationStatus(config, target.url);
  if (flags.json) io.out(JSON.stringify({ target: targetJson(target), current: status.current }, null, 2));
  else io.out(status.current ?? 'none');
}
