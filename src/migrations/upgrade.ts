import path from 'node:path';
import { withClient } from '../client.ts';
import type { Config } from '../config.ts';
import { MigrationError } from '../errors.ts';
import { guardProduction, type Confirm } from '../target/prod-guard.ts';
import type { Target } from '../target/resolve-target.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { parseDbmateError, runDbmate, withMigrationSubset, assertDbmateRan } from './dbmate.ts';
import { readMigrations, type MigrationEntry } from './migration-directory.ts';
import { firstStatementLine, type MigrationFile } from './migration-file.ts';
import { migrationStatus } from './migration-status.ts';
import { writeSchemaFile } from './schema-file.ts';

export interface UpgradeOptions {
  dryRun?: boolean;
  yes?: boolean;
  confirm: Confirm;
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
  const relative = path.relative(config.projectDir, file.path) || file.path;
  const sectionStart = file[section].line;
  // Without a position from PostgreSQL (e.g. DROP of a missing table) point at the section's first statement.
  const where =
    error.sectionLine !== undefined
      ? `${relative}:${sectionStart + error.sectionLine - 1}:${error.column}`
      : `${relative}:${firstStatementLine(file[section])}`;
  return `${where}: ${error.message}${error.sqlState ? ` (SQLSTATE ${error.sqlState})` : ''}`;
}

/** Applies every pending migration with dbmate; on the local database rewrites db/schema.sql. */
export async function upgrade(config: Config, target: Target, options: UpgradeOptions): Promise<UpgradeResult> {
  const status = await migrationStatus(config, target.url);
  // Validate every pending file before anything runs: a bad file changes nothing.
  const files = readMigrations(config.migrationsDir, status.pending);
  const outOfOrder = status.pending.filter((entry) =>
    status.rows.some((row) => row.version === entry.version && row.state === 'pending-out-of-order'),
  );
  if (options.dryRun || files.length === 0) {
    return { applied: status.pending, outOfOrder, dryRun: Boolean(options.dryRun) };
  }
  await guardProduction(target, {
    action: 'apply migrations',
    plan: files.map((f) => `apply ${f.fileName}`),
    yes: options.yes,
    confirm: options.confirm,
  });
  const result = await withMigrationSubset(files.map((f) => f.path), (dir) =>
    runDbmate({ url: target.url, migrationsDir: dir, migrationsTable: config.migrationsTable }, ['migrate']),
  );
  assertDbmateRan(result);
  if (!result.ok) {
    // dbmate prints "Applied:" before it checks errors, so ask the database what happened.
    const appliedNow = new Set(await withClient(target.url, (sql) => readAppliedVersions(sql, config.migrationsTable)));
    const failed = files.find((f) => !appliedNow.has(f.version));
    const done = files.filter((f) => appliedNow.has(f.version));
    if (!failed) throw new MigrationError(`dbmate failed: ${parseDbmateError(result.stderr).message}`);
    const notRun = files.length - done.length - 1;
    throw new MigrationError(
      `${describeSqlFailure(config, failed, 'up', result.stderr)}; ${failed.fileName} was rolled back` +
        `${done.length ? `, ${done.length} earlier migration(s) stay applied` : ''}${notRun ? `, ${notRun} later one(s) not run` : ''}; fix it and run rb upgrade again`,
    );
  }
  const schemaFile = target.isProduction ? undefined : await writeSchemaFile(config, target.url);
  return { applied: status.pending, outOfOrder, dryRun: false, schemaFile };
}
