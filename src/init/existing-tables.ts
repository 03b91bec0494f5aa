import { withClient } from '../client.ts';
import { isToolingTable } from '../rb-tables.ts';

/** The application's tables in a database, by schema (system schemas and migration tooling left out). */
export async function tablesBySchema(url: string): Promise<Map<string, number>> {
  const rows = await withClient(url, (sql) => sql<{ schema: string; name: string }[]>`
    select n.nspname as schema, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f')
      and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')`, { connectTimeout: 5 });
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (isToolingTable(row.schema, row.name)) continue;
    counts.set(row.schema, (counts.get(row.schema) ?? 0) + 1);
  }
  return counts;
}

/** The schemas to put in "rb.schemas" for a database with tables: public first (where most apps keep them), then by name. */
export function schemasOf(counts: Map<string, number>): string[] {
  const names = [...counts.keys()].sort();
  return names.includes('public') ? ['public', ...names.filter((n) => n !== 'public')] : names;
}
