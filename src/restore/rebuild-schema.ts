import { withClient } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { describeFailure, failureError, runMigrations } from '../migrations/run-migrations.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';
import { TOOLING_TABLES } from '../rb-tables.ts';

/**
 * Drops the application schemas, dbmate's and rb's tables (src/rb-tables.ts): what the
 * migrations create. `public` cannot simply vanish (extensions and defaults live there), so it is
 * recreated empty with PostgreSQL 15's default owner and privileges.
 */
export async function dropLocalSchema(url: string, config: Config): Promise<void> {
  await withClient(url, (sql) =>
    sql.begin(async (tx) => {
      // An open session (the app, a psql) holding a lock would make the drop wait forever.
      await tx.unsafe(`set local lock_timeout = '10s'`);
      for (const schema of config.schemas) {
        await tx.unsafe(`drop schema if exists ${quoteIdent(schema)} cascade`);
        if (schema === 'public') {
          await tx.unsafe('create schema public authorization pg_database_owner');
          await tx.unsafe('grant usage on schema public to public');
        }
      }
      // dbmate's and rb's tables: local records describe the local history, and the rebuild rewrites them.
      for (const table of TOOLING_TABLES) {
        await tx.unsafe(`drop table if exists ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`);
      }
    }),
  ).catch((error: unknown) => {
    if ((error as { code?: string }).code === '55P03') {
      throw new RbError('another session holds a lock on the local schema (lock_timeout 10s); stop the app or psql sessions using the local database and run the restore again');
    }
    throw error;
  });
}

/**
 * Applies exactly these files with dbmate, in version order. A failure names the file and line
 * (src/migrations/run-migrations.ts); a lost connection is a ConnectionError.
 */
export async function migrateFiles(config: Config, url: string, files: MigrationFile[]): Promise<void> {
  const run = await runMigrations(url, files, 'migrate');
  if (run.stopped) throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure) throw failureError(run.failure, describeFailure(run.failure, (p) => relativeToProject(config, p)));
}
