import type { Queryable } from '../client.ts';
import { UsageError } from '../errors.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';

const TABLE = qualified(DBMATE_TABLE);

/**
 * Versions recorded in dbmate's tracking table; empty when the table does not exist yet.
 * golang-migrate's tracking table has the same name (`schema_migrations`, with a `dirty` column
 * and one row: its current version): rb refuses to read it as dbmate's, and dbmate would write
 * timestamps into it.
 */
export async function readAppliedVersions(sql: Queryable): Promise<string[]> {
  const [found] = await sql<{ reg: string | null; dirty: boolean }[]>`
    select to_regclass(${TABLE})::text as reg,
           exists (select from pg_attribute where attrelid = to_regclass(${TABLE}) and attname = 'dirty' and not attisdropped) as dirty`;
  if (!found.reg) return [];
  if (found.dirty) {
    throw new UsageError(
      `${TABLE} is golang-migrate's tracking table (it has a "dirty" column), not dbmate's; ` +
        'convert the history and record it for rb with rb import golang-migrate <migrations dir> (with the same --database-url or --prod), which moves that table aside',
    );
  }
  const rows = await sql.unsafe<{ version: string }[]>(`select version::text as version from ${TABLE}`);
  return rows.map((r) => r.version);
}

/**
 * Creates dbmate's tracking table as dbmate does (`version varchar primary key`), for rb commands
 * that record versions without running dbmate (rb baseline, rb import). Under the migration lock.
 */
export async function ensureDbmateTable(sql: Queryable): Promise<void> {
  await sql.unsafe(`create table if not exists ${TABLE} (version varchar primary key)`);
}

/** Records versions as applied in dbmate's table, as dbmate would after running them; recorded ones stay. */
export async function insertAppliedVersions(sql: Queryable, versions: string[]): Promise<void> {
  if (versions.length === 0) return;
  await sql.unsafe(`insert into ${TABLE} (version) select unnest($1::text[]) on conflict (version) do nothing`, [sql.array(versions)]);
}
