import { withClient } from '../client.ts';
import { relativeToProject } from '../config.ts';
import { InterruptedError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { quoteIdent, recreateDatabase } from '../local-db/ensure-database.ts';
import { parseDatabaseUrl, withDatabase } from '../target/database-url.ts';
import { searchPath } from '@rbsql/runtime/type-choices';

export interface ShadowOptions {
  /** Any database on the server that will hold the shadow (the target's URL). */
  serverUrl: string;
  /** The project root: file names in messages are relative to it. */
  projectDir: string;
  migrationsDir: string;
  schemas: readonly string[];
  hash: string;
  /** Aborted on Ctrl-C / SIGTERM: says which signal stopped dbmate. */
  signal?: AbortSignal;
}

export interface ShadowDatabase {
  url: string;
  name: string;
  rebuilt: boolean;
}

export function shadowName(serverUrl: string): string {
  return `${parseDatabaseUrl(serverUrl).database}_rb_shadow`.slice(0, 63);
}

const MARK = 'rb shadow database, migrations hash ';

/**
 * A database `<db>_rb_shadow` beside the target, migrated from scratch with dbmate and given
 * search_path = app, public (pgtyped has no search_path option: pgtyped issue 512). Its comment
 * records the migrations hash; it is rebuilt only when the hash changes. An advisory lock keeps
 * two rb processes from building it at once.
 */
export async function ensureShadowDatabase(options: ShadowOptions): Promise<ShadowDatabase> {
  const name = shadowName(options.serverUrl);
  const url = withDatabase(options.serverUrl, name);
  const rebuilt = await withClient(options.serverUrl, async (sql) => {
    await sql`select pg_advisory_lock(hashtext(${`rb-shadow:${name}`}))`;
    const [row] = await sql<{ comment: string | null }[]>`
      select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${name}`;
    if (row && row.comment === `${MARK}${options.hash}`) return false;
    // Building it needs the migration files and dbmate: loaded only then.
    const [{ listMigrations, readMigrations }, { describeFailure, failureError, runMigrations }] = await Promise.all([
      import('../migrations/migration-directory.ts'), import('../migrations/run-migrations.ts'),
    ]);
    const files = readMigrations(options.migrationsDir, listMigrations(options.migrationsDir), options.projectDir);
    await recreateDatabase(sql, name, 'rb types (its shadow database)');
    // The shadow database is rebuilt from scratch anyway: a failure without a position is located by replaying its statements.
    const run = await runMigrations(url, files, 'migrate', { replayToLocate: true });
    if (run.stopped) {
      // dbmate ended with rb (Ctrl-C): its server session may still run the statement. End it, as
      // rb upgrade does; the shadow database has no hash comment yet, so the next run rebuilds it.
      const { endOwnSessions } = await import('../migrations/migration-sessions.ts');
      await withClient(url, (shadow) => endOwnSessions(shadow));
      const stop = options.signal?.aborted ? stopSignalOf(options.signal) : 'SIGTERM';
      throw new InterruptedError(`rb types stopped by ${stop} while building the shadow database ${name}; its migrations were stopped and nothing was written (the next run builds it again)`, stop);
    }
    if (run.failure) {
      await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
      const failure = describeFailure(run.failure, (p) => relativeToProject(options, p));
      throw failureError(run.failure, `building the shadow database ${name} from the migrations failed${run.failure.file ? " at" : ":"} ${failure}; fix the migration and run rb types again`);
    }
    await sql.unsafe(`alter database ${quoteIdent(name)} set search_path = ${searchPath(options.schemas)}`);
    await sql.unsafe(`comment on database ${quoteIdent(name)} is '${MARK}${options.hash}'`);
    return true;
  });
  return { url, name, rebuilt };
}
