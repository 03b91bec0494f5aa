import type postgres from 'postgres';
import { UsageError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';

type Db = postgres.Sql | postgres.TransactionSql;

/** "app.my_model" -> "app"."my_model" */
export function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

export interface KeyRange {
  from: string;
  to: string;
  rows: number;
}

/**
 * The next batch: the first `size` existing keys after `after`. Walking existing keys (as
 * GitLab's each_batch does) rather than fixed id ranges means gaps in the ids never give empty
 * or oversized batches. Two index probes: the first key, and the size-th key (a short index-only
 * scan); only the last, partial batch needs a count.
 */
export async function nextKeyRange(sql: Db, table: string, key: string, after: string | null, size: number): Promise<KeyRange | null> {
  const k = quoteIdent(key);
  const t = quoteQualified(table);
  const where = after === null ? '' : `where ${k} > $2`;
  const params = after === null ? [size] : [size, after];
  const [row] = await sql.unsafe<{ from: string | null; to: string | null }[]>(
    // Cast outside the subqueries: inside, "order by id" would sort by the text output column.
    `select (select ${k} from ${t} ${where} order by ${k} limit 1)::text as "from",
            (select ${k} from ${t} ${where} order by ${k} offset $1 - 1 limit 1)::text as "to"`,
    params,
  );
  if (row.from === null) return null;
  if (row.to !== null) return { from: row.from, to: row.to, rows: size };
  const [rest] = await sql.unsafe<{ to: string; rows: number }[]>(
    `select max(${k})::text as "to", count(*)::int as rows from ${t} ${where.replace('$2', '$1')}`,
    after === null ? [] : [after],
  );
  return { from: row.from, to: rest.to, rows: rest.rows };
}

/**
 * Rows left after `after`: exact below ~2 million rows, else the planner's estimate minus the
 * rows already done (an exact count(*) of a huge table would take longer than many batches).
 */
export async function remainingRows(
  sql: Db, table: string, key: string, after: string | null, doneBefore: number,
): Promise<{ rows: number; estimate: boolean }> {
  const [stats] = await sql<{ reltuples: number }[]>`select reltuples::float8 as reltuples from pg_class where oid = to_regclass(${quoteQualified(table)})`;
  if (stats && stats.reltuples > 2_000_000) return { rows: Math.max(Math.round(stats.reltuples) - doneBefore, 0), estimate: true };
  const k = quoteIdent(key);
  const [row] = await sql.unsafe<{ n: string }[]>(
    `select count(*) as n from ${quoteQualified(table)}${after === null ? '' : ` where ${k} > $1`}`,
    after === null ? [] : [after],
  );
  return { rows: Number(row.n), estimate: false };
}

/**
 * Refuses, naming the script, a table that does not exist or is not a table, and a key column
 * that is missing, without a unique index of its own, or nullable: rb walks existing keys in
 * order, so rows sharing a key would be split across batches and miscounted, and rows whose key
 * is NULL would never be walked.
 */
export async function checkTableAndKey(sql: Db, table: string, key: string, shown: string): Promise<void> {
  const [row] = await sql<{ kind: string | null; column: boolean; not_null: boolean; unique: boolean }[]>`
    select c.relkind::text as kind, a.attnum is not null as column, coalesce(a.attnotnull, false) as not_null,
           exists(select 1 from pg_index i
                   where i.indrelid = c.oid and i.indisunique and i.indisvalid and i.indnkeyatts = 1
                     and i.indkey[0] = a.attnum and i.indpred is null and i.indexprs is null) as unique
      from (select to_regclass(${quoteQualified(table)}) as oid) r
      left join pg_class c on c.oid = r.oid
      left join pg_attribute a on a.attrelid = c.oid and a.attname = ${key} and a.attnum > 0 and not a.attisdropped`;
  if (!row.kind) {
    throw new UsageError(`${shown}: table "${table}" does not exist in this database; name a schema-qualified table in batchedBackfill({ table: ... })`);
  }
  if (row.kind !== 'r' && row.kind !== 'p') {
    const kinds: Record<string, string> = { v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', i: 'an index', c: 'a composite type' };
    throw new UsageError(`${shown}: ${table} is ${kinds[row.kind] ?? 'not a table'}; batchedBackfill({ table: ... }) walks the rows of a table`);
  }
  if (!row.column) {
    throw new UsageError(`${shown}: table ${table} has no column "${key}"; set batchedBackfill({ key: ... }) to its unique, NOT NULL key column`);
  }
  if (!row.unique) {
    throw new UsageError(`${shown}: key column "${key}" of ${table} has no unique index of its own: rows sharing a key would be split across batches and miscounted; use the primary key or a unique NOT NULL column in batchedBackfill({ key: ... })`);
  }
  if (!row.not_null) {
    throw new UsageError(`${shown}: key column "${key}" of ${table} may be NULL: rows whose key is NULL would never be walked; use the primary key or a unique NOT NULL column in batchedBackfill({ key: ... })`);
  }
}
