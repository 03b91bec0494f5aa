import type { Sql } from '../client.ts';

export interface TableRef {
  schema: string;
  name: string;
}

/**
 * Brings every sequence owned by a column of these tables (identity and serial alike) to at
 * least the column's highest value, so the next insert does not collide with a restored id.
 * The dump's own sequence values (SEQUENCE SET) were restored already; this only raises them.
 * Returns how many sequences were moved.
 */
export async function raiseSequences(sql: Sql, tables: TableRef[]): Promise<number> {
  if (tables.length === 0) return 0;
  const owned = await sql<{ seq: string; tbl: string; col: string }[]>`
    select s.seqrelid::regclass::text as seq, c.oid::regclass::text as tbl, quote_ident(a.attname) as col
    from pg_depend d
    join pg_sequence s on s.seqrelid = d.objid
    join pg_class c on c.oid = d.refobjid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum = d.refobjsubid
    join unnest(${tables.map((t) => t.schema)}::text[], ${tables.map((t) => t.name)}::text[]) as t(schema, name)
      on t.schema = n.nspname and t.name = c.relname
    where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      and s.seqincrement > 0`;
  let moved = 0;
  for (const { seq, tbl, col } of owned) {
    // max() of an integer column compares fine with the bigint last_value; text avoids JS number limits.
    const [row] = await sql.unsafe<{ moved: boolean }[]>(
      `select coalesce((select setval('${seq.replace(/'/g, "''")}', m, true) is not null
                         from (select max(${col})::bigint as m from ${tbl}) x, ${seq} s
                         where m is not null and (m > s.last_value or (m = s.last_value and not s.is_called))), false) as moved`,
    );
    if (row.moved) moved += 1;
  }
  return moved;
}
