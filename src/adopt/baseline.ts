import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withClient } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { RbError, UsageError } from '../errors.ts';
import { readAppliedVersions } from '../migrations/applied-versions.ts';
import { listMigrations, readMigrations, type MigrationEntry } from '../migrations/migration-directory.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';
import type { MigrationEvent } from '../migrations/migration-events.ts';
import { utcVersion } from '../migrations/new-migration.ts';
import { writeSchemaFileWithoutBookkeeping } from '../migrations/rb-migrations-table.ts';
import { recordWithoutRunning } from '../migrations/record-applied.ts';
import { unlessStopped } from '../migrations/stopped-migration.ts';
import { lockOptions } from '../migrations/apply-pending.ts';
import { parseDatabaseUrl } from '../target/database-url.ts';
import { guardProduction, type Confirm } from '../target/prod-guard.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { readDatabaseTables } from './database-tables.ts';
import { dumpSchemas, type SchemaDump } from './schema-dump.ts';

export interface BaselineOptions {
  dryRun?: boolean;
  yes?: boolean;
  confirm: Confirm;
  /** Receives the production summary when --yes confirms (src/target/prod-guard.ts). */
  announce: (summary: string) => void;
  onEvent?: (event: MigrationEvent) => void;
  /** Aborted on Ctrl-C / SIGTERM (src/interrupt.ts): a wait for the migration lock stops, nothing is recorded. */
  signal?: AbortSignal;
  /** The baseline's version is this moment's UTC timestamp (tests pin it). */
  now?: Date;
}

export interface BaselineResult {
  /** The baseline migration file. */
  file: string;
  /** True when this run wrote it (with dryRun: would write it); false when db/migrations had it. */
  written: boolean;
  dryRun: boolean;
  /** Objects in the baseline by pg_dump's kind ("TABLE" -> 3). */
  objects: Map<string, number>;
  /** Other tools' tracking tables left out of it. */
  leftOut: { table: string; tool: string }[];
  /** Migration files of db/migrations other than the baseline: they stay pending on this database. */
  pending: MigrationEntry[];
  /** db/schema.sql, rewritten on a non-production database. */
  schemaFile?: string;
}

/** The marker the down section carries: rb downgrade refuses it, rb check skips its round trip. */
export const BASELINE_IRREVERSIBLE =
  '-- rb:irreversible a baseline is the schema rb adopted the database with; rolling it back would drop everything, so restore a dump instead';

function describeTarget(target: Target): string {
  const { database } = parseDatabaseUrl(target.url);
  return target.isProduction ? `production's database "${database}"` : `the database "${database}"`;
}

function alreadyAdopted(target: Target, applied: string[]): UsageError {
  return new UsageError(
    `${describeTarget(target)} already records ${applied.length} migration(s) in public.schema_migrations (newest ${[...applied].sort().at(-1)}); ` +
      'rb baseline adopts a database no migration is recorded on: run rb status to see where it stands, and rb upgrade to apply what is pending',
  );
}

/** One second before the oldest file, so the files that are there already run after the baseline. */
function versionBefore(oldest: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(oldest);
  if (!match) return undefined;
  const time = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]);
  return Number.isNaN(time) ? undefined : utcVersion(new Date(time - 1000));
}

function baselineText(config: Config, target: Target, dump: SchemaDump, leftOut: BaselineResult['leftOut'], now: Date): string {
  const header = [
    '-- rb:baseline',
    `-- The schema of ${config.schemas.join(', ')} in ${describeTarget(target)}, as pg_dump ${dump.pgDumpVersion} read it on ${now.toISOString()} (rb baseline).`,
    '-- It was recorded as applied there without running; on a new database rb upgrade builds the schema from it.',
    ...(leftOut.length ? [`-- Left out: ${leftOut.map((t) => `${t.table} (${t.tool}'s tracking table)`).join(', ')}.`] : []),
  ];
  return `${header.join('\n')}\n\n-- migrate:up\n${dump.sql}\n\n-- migrate:down\n${BASELINE_IRREVERSIBLE}\n`;
}

/**
 * A baseline in db/migrations must describe the database it is recorded on: the schema dumped
 * now must equal the file's up section (a second database adopted with the same baseline).
 */
function assertSameSchema(config: Config, target: Target, file: MigrationFile, dump: SchemaDump): void {
  const expected = file.up.sql.trimEnd().split('\n');
  const actual = dump.sql.split('\n');
  const index = expected.findIndex((line, i) => line !== actual[i]);
  const at = index === -1 ? (actual.length > expected.length ? expected.length : -1) : index;
  if (at === -1) return;
  const show = (line: string | undefined) => (line === undefined ? 'nothing (it ends there)' : `"${line.slice(0, 80)}"`);
  throw new UsageError(
    `${relativeToProject(config, file.path)}:${file.up.line + at + 1}: the schema of ${describeTarget(target)} differs from this baseline ` +
      `(the file has ${show(expected[at])}, the database ${show(actual[at])}), so recording it as applied would be false; ` +
      `make this database's schema match the baseline (compare its pg_dump --schema-only with the file), then run rb baseline again`,
  );
}

/**
 * rb baseline: adopts a database that has a schema but no recorded migration. Writes
 * db/migrations/<version>_baseline.sql from pg_dump of the configured schemas (or, when
 * db/migrations has a baseline already, checks that this database's schema is the same) and
 * records it as applied without running it, under the migration lock and the production guard.
 */
export async function baseline(config: Config, target: Target, options: BaselineOptions): Promise<BaselineResult> {
  const files = listMigrations(config.migrationsDir);
  const { dump, leftOut } = await withClient(target.url, async (sql) => {
    const applied = await readAppliedVersions(sql);
    if (applied.length) throw alreadyAdopted(target, applied);
    const tables = await readDatabaseTables(sql, config.schemas);
    if (tables.appTables.length === 0) {
      const elsewhere = tables.elsewhere.map((e) => e.schema);
      throw new UsageError(
        `schema${config.schemas.length > 1 ? 's' : ''} ${config.schemas.join(', ')} of ${describeTarget(target)} hold${config.schemas.length > 1 ? '' : 's'} no tables: nothing to baseline; ` +
          (elsewhere.length
            ? `its tables are in ${elsewhere.join(', ')}: name the schemas rb manages in package.json ("rb": {"schemas": ${JSON.stringify(elsewhere)}})`
            : `an empty database needs no baseline: rb upgrade builds it from ${relativeToProject(config, config.migrationsDir)}`),
      );
    }
    const leftOut = tables.otherTools.map((t) => ({ table: `${t.schema}.${t.name}`, tool: t.tool.tool }));
    return { dump: await dumpSchemas(sql, target.url, config.schemas, tables.otherTools, options.signal), leftOut };
  });

  const baselines = readMigrations(config.migrationsDir, files, config.projectDir).filter((f) => f.directives.baseline);
  if (baselines.length > 1) {
    throw new UsageError(`${relativeToProject(config, config.migrationsDir)} holds ${baselines.length} baselines (${baselines.map((f) => f.fileName).join(', ')}); a history has one: remove the others`);
  }
  let entry: MigrationEntry;
  let text: string | undefined;
  if (baselines.length) {
    assertSameSchema(config, target, baselines[0], dump);
    entry = baselines[0];
  } else {
    const now = options.now ?? new Date();
    const version = files.length ? versionBefore(files[0].version) : utcVersion(now);
    if (!version) {
      throw new UsageError(
        `${relativeToProject(config, files[0].path)} comes first, and a baseline must come before it, but its version is not a UTC timestamp rb can count back from; ` +
          `move the files out of ${relativeToProject(config, config.migrationsDir)}, run rb baseline, then move them back`,
      );
    }
    const fileName = `${version}_baseline.sql`;
    entry = { version, name: 'baseline', fileName, path: path.join(config.migrationsDir, fileName) };
    text = baselineText(config, target, dump, leftOut, now);
  }
  const result: BaselineResult = {
    file: entry.path,
    written: text !== undefined,
    dryRun: Boolean(options.dryRun),
    objects: dump.objects,
    leftOut,
    pending: files.filter((f) => f.version !== entry.version),
  };
  if (options.dryRun) {
    await identifyTarget(target);
    return result;
  }
  const shown = relativeToProject(config, entry.path);
  await unlessStopped(
    guardProduction(target, {
      action: 'adopt this database with a baseline',
      plan: [
        ...(text ? [`write ${shown} from its schema (${config.schemas.join(', ')})`] : [`(its schema is the one in ${shown}: checked)`]),
        `record ${entry.fileName} as applied in public.schema_migrations without running it`,
      ],
      yes: options.yes,
      confirm: options.confirm,
      announce: options.announce,
    }),
    options.signal,
    'nothing was written or recorded',
  );
  if (text !== undefined) {
    mkdirSync(config.migrationsDir, { recursive: true });
    writeFileSync(entry.path, text, { flag: 'wx' });
  }
  try {
    await recordWithoutRunning(
      target.url,
      lockOptions(options),
      async (tx) => {
        const applied = await readAppliedVersions(tx);
        if (applied.length) throw alreadyAdopted(target, applied); // recorded by someone else meanwhile
        return { entries: [entry], result: undefined };
      },
      async () => {
        if (!target.isProduction) result.schemaFile = await writeSchemaFileWithoutBookkeeping(config, target.url);
      },
    );
  } catch (error) {
    if (error instanceof RbError && text !== undefined && !result.schemaFile) error.message += `; ${shown} was written: run rb baseline again to record it`;
    throw error;
  }
  return result;
}
