import type { Sql } from '../client.ts';
import { isToolingTable } from '../rb-tables.ts';

/** One application table as it is between two migrations (tables, partitions, materialized views). */
export interface TableState {
  oid: number;
  schema: string;
  name: string;
  /** pg_relation_filenode: a new one means the table was rewritten (ALTER COLUMN TYPE, VACUUM FULL, TRUNCATE...). */
  filenode: number | null;
  /** pg_total_relation_size: the table with its indexes and TOAST. */
  bytes: number;
  /** pg_stat_user_tables counters (rows inserted, updated, deleted since the copy was made). */
  inserted: number;
  updated: number;
  deleted: number;
}

/** "app.orders", as the reports show tables. */
export function tableName(table: Pick<TableState, 'schema' | 'name'>): string {
  return `${table.schema}.${table.name}`;
}

/**
 * Every application table of the database sql is connected to, by oid; dbmate's and rb's own
 * tables (the version rows each migration adds) are left out.
 */
export async function readTableStates(sql: Sql): Promise<Map<number, TableState>> {
  const rows = await sql<{ oid: string; schema: string; name: string; filenode: string | null; bytes: string; ins: string; upd: string; del: string }[]>`
    select c.oid::int8 as oid, n.nspname as schema, c.relname as name, pg_relation_filenode(c.oid)::int8 as filenode,
           pg_total_relation_size(c.oid) as bytes,
           coalesce(s.n_tup_ins, 0) as ins, coalesce(s.n_tup_upd, 0) as upd, coalesce(s.n_tup_del, 0) as del
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_user_tables s on s.relid = c.oid
     where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;
  const states = new Map<number, TableState>();
  for (const r of rows) {
    if (isToolingTable(r.schema, r.name)) continue;
    states.set(Number(r.oid), {
      oid: Number(r.oid),
      schema: r.schema,
      name: r.name,
      filenode: r.filenode === null ? null : Number(r.filenode),
      bytes: Number(r.bytes),
      inserted: Number(r.ins),
      updated: Number(r.upd),
      deleted: Number(r.del),
    });
  }
  return states;
}

