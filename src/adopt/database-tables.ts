import type { Queryable } from '../client.ts';
import { isToolingTable, otherToolTable, type OtherToolTable, type TableName } from '../rb-tables.ts';

/** What a database holds beyond rb's and dbmate's own tables, as adopting it needs to know. */
export interface DatabaseTables {
  /** Tables of the configured schemas that are no migration tool's (the application's). */
  appTables: TableName[];
  /** Other migration tools' tracking tables, in any schema. */
  otherTools: (TableName & { tool: OtherToolTable })[];
  /** Schemas outside the configured ones that hold application tables, with how many. */
  elsewhere: { schema: string; tables: number }[];
}

/**
 * Sorts the database's tables into the application's (in the configured schemas, or elsewhere)
 * and other tools' tracking tables (ordinary and partitioned tables; partitions, and tables an
 * extension owns such as PostGIS's spatial_ref_sys, are not counted).
 */
export async function readDatabaseTables(sql: Queryable, schemas: string[]): Promise<DatabaseTables> {
  const rows = await sql<{ schema: string; name: string }[]>`
    select n.nspname as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and not c.relispartition
       and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
       and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
     order by 1, 2`;
  const result: DatabaseTables = { appTables: [], otherTools: [], elsewhere: [] };
  for (const row of rows) {
    const tool = otherToolTable(row.schema, row.name);
    if (tool) result.otherTools.push({ ...row, tool });
    else if (isToolingTable(row.schema, row.name)) continue;
    else if (schemas.includes(row.schema)) result.appTables.push(row);
    else if (result.elsewhere.at(-1)?.schema === row.schema) result.elsewhere.at(-1)!.tables += 1;
    else result.elsewhere.push({ schema: row.schema, tables: 1 });
  }
  return result;
}
