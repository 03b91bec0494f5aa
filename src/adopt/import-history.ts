import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withClient, type Queryable } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { readAppliedVersions } from '../migrations/applied-versions.ts';
import { listMigrations, versionNumber, type MigrationEntry } from '../migrations/migration-directory.ts';
import type { MigrationEvent } from '../migrations/migration-events.ts';
import { writeSchemaFileWithoutBookkeeping } from '../migrations/rb-migrations-table.ts';
import { recordWithoutRunning } from '../migrations/record-applied.ts';
import { unlessStopped } from '../migrations/stopped-migration.ts';
import { lockOptions } from '../migrations/apply-pending.ts';
import { describeUrl } from '../target/database-url.ts';
import { guardProduction, type Confirm } from '../target/prod-guard.ts';
import type { Target } from '../target/resolve-target.ts';
import { flyway } from './import/flyway.ts';
import { golangMigrate } from './import/golang-migrate.ts';
import { nodePgMigrate } from './import/node-pg-migrate.ts';
import { prisma } from './import/prisma.ts';
import { assignVersions, convertedFileName, convertMigration, type Importer, type SourceMigration, type SourceTracking } from './import/source-history.ts';

export const IMPORTERS: readonly Importer[] = [golangMigrate, flyway, prisma, nodePgMigrate];

export interface ImportOptions {
  dryRun?: boolean;
  yes?: boolean;
  confirm: Confirm;
  /** Receives the production summary when --yes confirms (src/target/prod-guard.ts). */
  announce: (summary: string) => void;
  onEvent?: (event: MigrationEvent) => void;
  /** Aborted on Ctrl-C / SIGTERM (src/interrupt.ts): a wait for the migration lock stops, nothing is recorded. */
  signal?: AbortSignal;
}

/** One source migration as an rb file. */
export interface ConvertedFile {
  source: SourceMigration;
  entry: MigrationEntry;
  text: string;
  /** 'unchanged': db/migrations has this file already, with this text (an earlier import). */
  state: 'new' | 'unchanged';
}

export interface ImportTracking {
  target: Target;
  source: SourceTracking;
  /** Files recorded as applied by this run (with dryRun: that would be). */
  recorded: ConvertedFile[];
  /** Files the old tool applied that rb's tracking had already (an earlier import). */
  alreadyRecorded: number;
}

export interface ImportResult {
  importer: Importer;
  files: ConvertedFile[];
  warnings: string[];
  dryRun: boolean;
  tracking?: ImportTracking;
  schemaFile?: string;
}

export function findImporter(name: string): Importer {
  const importer = IMPORTERS.find((i) => i.name === name);
  if (!importer) throw new UsageError(`rb import does not know "${name}"; it imports ${IMPORTERS.map((i) => i.name).join(', ')}: rb import flyway db/sql`);
  return importer;
}

/** The converted files, checked against what db/migrations holds: the same file again is fine, anything else in its place is not. */
function convert(config: Config, importer: Importer, migrations: SourceMigration[], warnings: string[]): ConvertedFile[] {
  const versions = assignVersions(migrations, importer.tool);
  const existing = new Map(listMigrations(config.migrationsDir).map((e) => [versionNumber(e.version), e]));
  return migrations.map((source) => {
    const version = versions.get(source)!;
    const fileName = convertedFileName(version, source);
    const entry: MigrationEntry = { version, name: fileName.slice(version.length + 1, -4), fileName, path: path.join(config.migrationsDir, fileName) };
    const text = convertMigration(source, importer.tool, warnings);
    const there = existing.get(versionNumber(version));
    if (!there) return { source, entry, text, state: 'new' };
    const shown = relativeToProject(config, there.path);
    if (there.fileName !== fileName) {
      throw new UsageError(`${shown}: version ${version} is taken, and ${source.files[0]} converts to ${fileName} with that version; move ${shown} to a newer version (rb new-migration makes one) and run rb import again`);
    }
    if (readFileSync(there.path, 'utf8') !== text) {
      throw new UsageError(`${shown} exists with other content than rb import converts ${source.files[0]} to (edited since an earlier import?); rb never overwrites a migration: put back the converted text or remove the file, then run rb import again`);
    }
    return { source, entry, text, state: 'unchanged' };
  });
}

/** The old tool's tracking and what rb has to record; re-run under the lock before anything is written. */
async function planTracking(sql: Queryable, importer: Importer, files: ConvertedFile[], target: Target): Promise<Omit<ImportTracking, 'target'>> {
  const source = await importer.readTracking(sql, files.map((f) => f.source));
  if (!source) {
    throw new UsageError(
      `${describeUrl(target.url)} has no ${importer.tool} tracking table, so there is nothing to record; if ${importer.tool} never migrated this database, ` +
        'run rb import without a database (it converts the files only) and rb upgrade to apply them',
    );
  }
  // golang-migrate's table in dbmate's place is moved aside first: dbmate's table does not exist yet.
  const recordedVersions = new Set((source.moveAside ? [] : await readAppliedVersions(sql)).map(versionNumber));
  const applied = files.filter((f) => source.applied.includes(f.source));
  const recorded = applied.filter((f) => !recordedVersions.has(versionNumber(f.entry.version)));
  return { source, recorded, alreadyRecorded: applied.length - recorded.length };
}

/**
 * rb import <tool> <dir>: converts another tool's migrations into dbmate files in db/migrations
 * (in the tool's order, up and down byte for byte, with a header naming the source); with a
 * database (--database-url / --prod) it reads the tool's tracking table there and records the
 * same migrations as applied in rb's tracking, without running them (under the migration lock,
 * in one transaction, behind the production guard). Refuses what the tool itself would not go
 * on from: a failed or dirty migration.
 */
export async function importHistory(config: Config, importer: Importer, dir: string, target: Target | undefined, options: ImportOptions): Promise<ImportResult> {
  const sourceDir = path.resolve(dir);
  const show = (file: string) => relativeToProject(config, file);
  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new UsageError(`${dir}: no such directory; give the directory that holds the ${importer.tool} migrations`);
  }
  const { migrations, warnings } = importer.read(sourceDir, show);
  if (migrations.length === 0) throw new UsageError(`${show(sourceDir)} holds no ${importer.tool} migrations; give the directory that holds them`);
  const files = convert(config, importer, migrations, warnings);
  const plan = target ? await withClient(target.url, (sql) => planTracking(sql, importer, files, target)) : undefined;
  const result: ImportResult = { importer, files, warnings, dryRun: Boolean(options.dryRun), tracking: plan && target ? { target, ...plan } : undefined };
  if (options.dryRun) return result;

  const fresh = files.filter((f) => f.state === 'new');
  if (target && plan) {
    await unlessStopped(
      guardProduction(target, {
        action: `record the ${importer.tool} history as rb's`,
        plan: [
          ...(fresh.length ? [`write ${fresh.length} converted file(s) into ${show(config.migrationsDir)}`] : []),
          ...(plan.source.moveAside ? [`move ${importer.tool}'s ${plan.source.table} to ${plan.source.moveAside.to} (dbmate's table takes its name)`] : []),
          `record ${plan.recorded.length} migration(s) as applied without running them (${importer.tool}'s ${plan.source.table}: ${plan.source.summary})`,
        ],
        yes: options.yes,
        confirm: options.confirm,
        announce: options.announce,
      }),
      options.signal,
      'nothing was written or recorded',
    );
  }
  mkdirSync(config.migrationsDir, { recursive: true });
  for (const file of fresh) writeFileSync(file.entry.path, file.text, { flag: 'wx' });
  if (!target) return result;

  result.tracking = await recordWithoutRunning(
    target.url,
    lockOptions(options),
    async (tx) => {
      const now = await planTracking(tx, importer, files, target);
      await now.source.moveAside?.run(tx);
      return { entries: now.recorded.map((f) => f.entry), result: { target, ...now } };
    },
    async (tracking) => {
      if (!target.isProduction && tracking.recorded.length) result.schemaFile = await writeSchemaFileWithoutBookkeeping(config, target.url);
    },
  );
  return result;
}
