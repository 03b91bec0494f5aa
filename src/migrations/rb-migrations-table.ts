import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Queryable } from '../client.ts';
import type { Config } from '../config.ts';
import { qualified, RB_MIGRATIONS_TABLE } from '../rb-tables.ts';

/**
 * rb's own bookkeeping beside dbmate's tracking table: the checksum of every file rb applied,
 * and transaction:false migrations that failed half-way (dbmate records nothing for those).
 */
const TABLE = qualified(RB_MIGRATIONS_TABLE);

export type RbRecordState = 'applied' | 'failed';

/**
 * What rb records for a transaction:false file just before it runs it: if rb never gets to
 * replace it (kill -9, a lost connection), the next run refuses the file instead of applying it a
 * second time. While a run holds the migration lock, the same record means "running".
 */
export const RUNNING_MARK = 'rb lost track of it while it ran (rb was killed or the connection was lost); it may have run part-way';


export interface RbMigrationRecord {
  version: string;
  fileName: string;
  checksum: string;
  state: RbRecordState;
  recordedAt: Date;
  /** For failed migrations: the error as rb reported it. */
  error: string | null;
  /** For failed migrations: INVALID indexes that appeared while it ran. */
  invalidIndexes: string[];
}

/** Creates the table; call it while holding the migration lock (concurrent CREATEs race). */
export async function ensureRbMigrationsTable(sql: Queryable): Promise<void> {
  await sql.unsafe(`
    create table if not exists ${TABLE} (
      version text primary key,
      file_name text not null,
      checksum text not null,
      state text not null default 'applied' check (state in ('applied', 'failed')),
      recorded_at timestamptz not null default now(),
      error text,
      invalid_indexes text[] not null default '{}'
    )`);
}

/** Every record by version; empty when rb never wrote to this database. */
export async function readRbRecords(sql: Queryable): Promise<Map<string, RbMigrationRecord>> {
  const [found] = await sql<{ reg: string | null }[]>`select to_regclass(${TABLE})::text as reg`;
  const records = new Map<string, RbMigrationRecord>();
  if (!found.reg) return records;
  const rows = await sql.unsafe<
    { version: string; file_name: string; checksum: string; state: RbRecordState; recorded_at: Date; error: string | null; invalid_indexes: string[] }[]
  >(`select version, file_name, checksum, state, recorded_at, error, invalid_indexes from ${TABLE}`);
  for (const row of rows) {
    records.set(row.version, {
      version: row.version,
      fileName: row.file_name,
      checksum: row.checksum,
      state: row.state,
      recordedAt: row.recorded_at,
      error: row.error,
      invalidIndexes: row.invalid_indexes,
    });
  }
  return records;
}

export async function recordApplied(sql: Queryable, version: string, fileName: string, checksum: string): Promise<void> {
  await sql.unsafe(
    `insert into ${TABLE} (version, file_name, checksum, state) values ($1, $2, $3, 'applied')
     on conflict (version) do update set file_name = excluded.file_name, checksum = excluded.checksum, state = 'applied',
       recorded_at = now(), error = null, invalid_indexes = '{}'`,
    [version, fileName, checksum],
  );
}

export async function recordFailed(
  sql: Queryable,
  failure: { version: string; fileName: string; checksum: string; error: string; invalidIndexes: string[] },
): Promise<void> {
  await sql.unsafe(
    `insert into ${TABLE} (version, file_name, checksum, state, error, invalid_indexes) values ($1, $2, $3, 'failed', $4, $5)
     on conflict (version) do update set file_name = excluded.file_name, checksum = excluded.checksum, state = 'failed',
       recorded_at = now(), error = excluded.error, invalid_indexes = excluded.invalid_indexes`,
    [failure.version, failure.fileName, failure.checksum, failure.error, sql.array(failure.invalidIndexes)],
  );
}

export async function deleteRecords(sql: Queryable, versions: string[]): Promise<void> {
  if (versions.length === 0) return;
  const [found] = await sql<{ reg: string | null }[]>`select to_regclass(${TABLE})::text as reg`;
  if (!found.reg) return;
  await sql.unsafe(`delete from ${TABLE} where version = any($1)`, [sql.array(versions)]);
}

/**
 * db/schema.sql as rb upgrade/downgrade write it: dbmate's dump without rb's bookkeeping and other
 * tools' tracking tables, so it equals the dump of a database the migrations alone built (what
 * rb check compares against).
 */
export async function writeSchemaFileWithoutBookkeeping(config: Config, url: string): Promise<string> {
  const { stripTrackingTables, writeSchemaFile } = await import('./schema-file.ts'); // dbmate: loaded only when a dump is written
  const file = await writeSchemaFile(config, url);
  if (existsSync(file)) writeFileSync(file, stripTrackingTables(readFileSync(file, 'utf8')));
  return file;
}
