import type { Sql } from '../client.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';

/** Versions recorded in dbmate's tracking table; empty when the table does not exist yet. */
export async function readAppliedVersions(sql: Sql): Promise<string[]> {
  const [found] = await sql<{ reg: string | null }[]>`select to_regclass(${qualified(DBMATE_TABLE)})::text as reg`;
  if (!found.reg) return [];
  const rows = await sql.unsafe<{ version: string }[]>(`select version::text as version from ${qualified(DBMATE_TABLE)}`);
  return rows.map((r) => r.version);
}
