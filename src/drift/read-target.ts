import { asConnectionError, connect, type Sql } from '../client.ts';
import { takeSnapshot, type Snapshot } from '../check/schema-snapshot.ts';
import { readAppliedVersions } from '../migrations/applied-versions.ts';
import { readRbRecords, type RbMigrationRecord } from '../migrations/rb-migrations-table.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';
import { RbError } from '../errors.ts';
import { describeUrl } from '../target/database-url.ts';

/** What rb drift reads from the database it inspects, all in one read-only transaction. */
export interface TargetReading {
  /** Versions in dbmate's tracking table. */
  applied: string[];
  /** rb's checksums (to say which applied files were edited since). */
  records: Map<string, RbMigrationRecord>;
  snapshot: Snapshot;
  /**
   * The role that owns dbmate's tracking table: the one the migrations ran as there. Owners and
   * grants are compared through it (the scratch database's objects belong to its own role).
   */
  migrationRole: string | null;
  /**
   * The `search_path=...` entry in effect for that role there (ALTER ROLE ... IN DATABASE, ALTER
   * ROLE, ALTER DATABASE, in that order): it decides where unqualified names in the migrations
   * went, so the scratch database gets it too.
   */
  searchPath: string | null;
}

/** The owner of dbmate's tracking table on the database sql is connected to (see TargetReading.migrationRole). */
export async function migrationRoleOf(sql: Sql): Promise<string | null> {
  const [row] = await sql<{ role: string | null }[]>`
    select pg_get_userbyid(c.relowner) as role from pg_class c where c.oid = to_regclass(${qualified(DBMATE_TABLE)})`;
  return row?.role ?? null;
}

async function searchPathOf(sql: Sql, role: string | null): Promise<string | null> {
  const rows = await sql<{ config: string[] }[]>`
    select s.setconfig as config
      from pg_db_role_setting s
      join pg_database d on d.datname = current_database()
      left join pg_roles r on r.rolname = coalesce(${role}::text, current_user)
     where (s.setdatabase = d.oid and s.setrole = r.oid) or (s.setdatabase = 0 and s.setrole = r.oid) or (s.setdatabase = d.oid and s.setrole = 0)
     order by case when s.setdatabase <> 0 and s.setrole <> 0 then 0 when s.setrole <> 0 then 1 else 2 end`;
  for (const row of rows) {
    const entry = row.config.find((c) => c.toLowerCase().startsWith('search_path='));
    if (entry) return entry;
  }
  return null;
}

/**
 * Reads the target without changing it: a REPEATABLE READ READ ONLY transaction (so the applied
 * versions and the catalog are one moment's), rolled back. Nothing is created, not even rb's own
 * tables; production needs no confirmation for this.
 */
export async function readTarget(url: string): Promise<TargetReading> {
  const sql = connect(url, { connection: { application_name: 'rb drift' } });
  try {
    const session = await sql.reserve();
    try {
      await session`begin isolation level repeatable read read only`;
      // Every name printed by pg_get_*def and format_type is then schema-qualified (see takeSnapshot).
      await session`set local search_path = pg_catalog`;
      const applied = await readAppliedVersions(session);
      const records = await readRbRecords(session);
      const migrationRole = await migrationRoleOf(session);
      const searchPath = await searchPathOf(session, migrationRole);
      const snapshot = await takeSnapshot(session);
      await session`rollback`;
      return { applied, records, snapshot, migrationRole, searchPath };
    } finally {
      session.release();
    }
  } catch (error) {
    const failure = asConnectionError(error, url) as { name?: string; code?: string; message?: string };
    if (failure.name !== 'PostgresError') throw failure;
    throw new RbError(`could not read the schema of ${describeUrl(url)}: ${failure.message} (SQLSTATE ${failure.code}); nothing was changed`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
