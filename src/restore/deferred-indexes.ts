import { connect, type Sql } from '../client.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';

/**
 * Loading rows into tables that already carry their indexes costs ~1.4x a plain pg_restore
 * (measured here: 2M rows, 7.8 s vs 5.5 s), because every row updates every index. pg_restore
 * itself loads first and builds indexes and constraints afterwards; rb does the same with the
 * schema the migrations built: it records the definitions, drops them, loads, and recreates
 * them exactly (names, definitions, comments, CLUSTER marks), so the schema afterwards is the
 * migrations' schema.
 *
 * Only plain, non-partition tables take part; indexes that are a replica identity, exclusion
 * constraints and anything on partitioned tables are left in place (loaded the slow way).
 */
export interface DeferredObject {
  kind: 'constraint' | 'foreign-key' | 'index';
  /** Qualified table name (regclass text with search_path = pg_catalog). */
  table: string;
  /** "schema.table" unquoted, as pg_restore and the TOC name it. */
  tableKey: string;
  name: string;
  /** The statement that recreates it. */
  create: string;
  drop: string;
  /** COMMENT ON / ALTER TABLE ... CLUSTER ON statements to run after create. */
  after: string[];
}

/** Sessions for capture and replay use one search_path so every name comes out schema-qualified. */
export const QUALIFIED = { search_path: 'pg_catalog' };

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Records (does not drop) the indexes and constraints of the given tables ("schema.table" keys). */
export async function captureDeferred(sql: Sql, tables: { schema: string; name: string }[]): Promise<DeferredObject[]> {
  if (tables.length === 0) return [];
  const schemas = tables.map((t) => t.schema);
  const names = tables.map((t) => t.name);
  const oids = (
    await sql<{ oid: number }[]>`
      select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join unnest(${schemas}::text[], ${names}::text[]) as t(schema, name) on t.schema = n.nspname and t.name = c.relname
      where c.relkind = 'r' and not c.relispartition`
  ).map((r) => r.oid);
  if (oids.length === 0) return [];
  const constraints = await sql<{ table: string; key: string; name: string; contype: string; def: string; comment: string | null; clustered: boolean | null }[]>`
    select con.conrelid::regclass::text as table, n.nspname || '.' || c.relname as key, con.conname as name, con.contype, pg_get_constraintdef(con.oid) as def,
           obj_description(con.oid, 'pg_constraint') as comment, i.indisclustered as clustered
    from pg_constraint con
    join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_index i on con.contype in ('p', 'u') and i.indexrelid = con.conindid
    where con.conparentid = 0
      and ((con.contype in ('p', 'u') and con.conrelid = any(${oids}::oid[]) and not coalesce(i.indisreplident, false))
        or (con.contype = 'f' and (con.conrelid = any(${oids}::oid[]) or con.confrelid = any(${oids}::oid[]))))
    order by con.conrelid, con.conname`;
  const indexes = await sql<{ table: string; key: string; name: string; def: string; comment: string | null; clustered: boolean }[]>`
    select i.indrelid::regclass::text as table, n.nspname || '.' || c.relname as key, i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def,
           obj_description(i.indexrelid, 'pg_class') as comment, i.indisclustered as clustered
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where i.indrelid = any(${oids}::oid[]) and not i.indisreplident
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
    order by i.indrelid, i.indexrelid`;
  const objects: DeferredObject[] = [];
  for (const c of constraints) {
    const name = quoteIdent(c.name);
    const after: string[] = [];
    if (c.comment !== null) after.push(`comment on constraint ${name} on ${c.table} is ${literal(c.comment)}`);
    if (c.clustered) after.push(`alter table ${c.table} cluster on ${name}`);
    objects.push({
      kind: c.contype === 'f' ? 'foreign-key' : 'constraint',
      table: c.table,
      tableKey: c.key,
      name: c.name,
      create: `alter table ${c.table} add constraint ${name} ${c.def}`,
      drop: `alter table ${c.table} drop constraint ${name}`,
      after,
    });
  }
  for (const i of indexes) {
    const after: string[] = [];
    if (i.comment !== null) after.push(`comment on index ${i.name} is ${literal(i.comment)}`);
    if (i.clustered) after.push(`alter table ${i.table} cluster on ${i.name.replace(/^.*\./, '')}`);
    objects.push({ kind: 'index', table: i.table, tableKey: i.key, name: i.name, create: i.def, drop: `drop index ${i.name}`, after });
  }
  return objects;
}

/** Drops them in one transaction: foreign keys first (they depend on the unique indexes). */
export async function dropDeferred(sql: Sql, objects: DeferredObject[]): Promise<void> {
  const order: DeferredObject['kind'][] = ['foreign-key', 'constraint', 'index'];
  await sql.begin(async (tx) => {
    for (const kind of order) for (const o of objects.filter((x) => x.kind === kind)) await tx.unsafe(o.drop);
  });
}

/**
 * Rebuilds the dropped objects over `jobs` connections. With jobs > 1 a table's primary/unique
 * keys and indexes start as soon as pg_restore reports the table loaded (tableLoaded), so index
 * builds overlap the load of the next tables, as in pg_restore -j; with one job they wait for the load.
 * finish() builds what is left, then the foreign keys (they need the keys of both tables and
 * validate against the loaded rows), then comments and CLUSTER marks.
 */
export function startIndexBuilder(url: string, objects: DeferredObject[], jobs: number, onDone?: (done: number, total: number) => void) {
  // With one job everything runs one at a time, as a serial pg_restore does; overlap is parallelism.
  const overlap = jobs > 1;
  const clients = Array.from({ length: Math.max(1, jobs) }, () => connect(url, { max: 1, connection: { ...QUALIFIED, maintenance_work_mem: '256MB' } }));
  const waiting = new Map<string, string[]>();
  for (const o of objects) {
    if (o.kind !== 'foreign-key') waiting.set(o.tableKey, [...(waiting.get(o.tableKey) ?? []), o.create]);
  }
  const queue: string[] = [];
  const sleepers: (() => void)[] = [];
  const wakeAll = () => {
    for (const wake of sleepers.splice(0)) wake();
  };
  let closed = false;
  let failure: unknown;
  let done = 0;
  // Each worker owns one connection; it sleeps while the queue is empty and the load goes on.
  const worker = async (client: Sql) => {
    for (;;) {
      if (failure) return;
      const next = queue.shift();
      if (next === undefined) {
        if (closed) return;
        await new Promise<void>((resolve) => sleepers.push(resolve));
        continue;
      }
      try {
        await client.unsafe(next);
      } catch (error) {
        failure ??= error;
        wakeAll();
        return;
      }
      done += 1;
      onDone?.(done, objects.length);
    }
  };
  const enqueue = (statements: string[]) => {
    queue.push(...statements);
    wakeAll();
  };
  let running = Promise.all(clients.map(worker));
  const close = async () => {
    closed = true;
    queue.length = 0;
    wakeAll();
    await running;
    await Promise.all(clients.map((c) => c.end({ timeout: 5 })));
  };
  return {
    /** The table ("schema.name") has all its rows: its keys and indexes may be built. */
    tableLoaded(key: string): void {
      const statements = waiting.get(key);
      if (!statements || !overlap) return;
      waiting.delete(key);
      enqueue(statements);
    },
    async finish(): Promise<void> {
      try {
        enqueue([...waiting.values()].flat());
        waiting.clear();
        closed = true;
        wakeAll();
        await running;
        if (failure) throw failure;
        queue.push(...objects.filter((o) => o.kind === 'foreign-key').map((o) => o.create));
        running = Promise.all(clients.map(worker));
        await running;
        if (failure) throw failure;
        for (const statement of objects.flatMap((o) => o.after)) await clients[0].unsafe(statement);
      } finally {
        await close();
      }
    },
    /** Stops early (the load failed): lets the statements in flight end, closes the connections. */
    close,
  };
}
