import type { Sql } from '../client.ts';

/** Versions recorded in dbmate's tracking table; empty when the table does not exist yet. */
export async function readAppliedVersions(sql: Sql, table: string): Promise<string[]> {
  const [found] = await sql<{ reg: string | null }[]>`select to_regclass(${table})::text as reg`;
  if (!found.reg) return [];
  const rows = await sql.unsafe<{ version: string }[]>(`select version::text as version from ${found.reg}`);
  return rows.map((r) => r.version);
}
