import type { Sql } from '../client.ts';
import { RbError } from '../errors.ts';
import { readSnapshotRows, takeSnapshot, type Snapshot, type SnapshotRow } from './schema-snapshot.ts';

/*
 * Incremental schema snapshots for the round trip. A full snapshot of a long history's schema
 * costs 40-60 ms (it prints every definition), and the round trip takes two per migration; yet a
 * migration touches a few objects. So each snapshot starts with a fingerprint of the raw catalog
 * rows behind each snapshot owner (a relation with its columns, defaults, constraints, indexes,
 * triggers, policies, rules, comments, dependencies; a type; a function): their xmin changes when
 * a row is inserted or updated, and a deleted row leaves the set. Only owners whose fingerprint
 * changed are read again, together with every object that depends on them in pg_depend, at any
 * depth (a renamed table changes the text of the views, foreign keys and triggers that name it).
 * Schemas, extensions and default privileges are always read. Anything that changes how names
 * print cluster- or database-wide (roles, schemas, collations, operator classes, text search
 * configurations, foreign servers) makes the next snapshot a full one.
 * RB_CHECK_VERIFY_SNAPSHOTS=1 compares every incremental snapshot with a full one (tests do).
 */
const FINGERPRINT_SQL = `
with user_ns as (
  select n.oid from pg_namespace n where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
),
rels as (select c.oid, c.xmin from pg_class c where c.relnamespace in (select oid from user_ns) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')),
types as (select t.oid, t.xmin, t.typrelid from pg_type t where t.typnamespace in (select oid from user_ns) and t.typtype in ('e', 'd', 'c', 'r', 'b')),
procs as (select p.oid, p.xmin from pg_proc p where p.pronamespace in (select oid from user_ns)),
parts(owner, tag) as (
  select 'r' || oid, 'c' || xmin from rels
  union all select 'r' || i.indrelid, 'i' || i.indexrelid || ':' || i.xmin || ':' || ic.xmin from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid in (select oid from rels)
  union all select 'r' || a.attrelid, 'a' || a.attnum || ':' || a.xmin from pg_attribute a where a.attrelid in (select oid from rels) and a.attnum > 0
  union all select 'r' || d.adrelid, 'd' || d.oid || ':' || d.xmin from pg_attrdef d where d.adrelid in (select oid from rels)
  union all select 'r' || k.conrelid, 'k' || k.oid || ':' || k.xmin from pg_constraint k where k.conrelid in (select oid from rels)
  union all select 'r' || t.tgrelid, 't' || t.oid || ':' || t.xmin from pg_trigger t where t.tgrelid in (select oid from rels)
  union all select 'r' || p.polrelid, 'p' || p.oid || ':' || p.xmin from pg_policy p where p.polrelid in (select oid from rels)
  union all select 'r' || w.ev_class, 'w' || w.oid || ':' || w.xmin from pg_rewrite w where w.ev_class in (select oid from rels)
  union all select 'r' || s.seqrelid, 's' || s.xmin from pg_sequence s where s.seqrelid in (select oid from rels)
  union all select 'r' || h.inhrelid, 'h' || h.inhparent || ':' || h.xmin from pg_inherits h where h.inhrelid in (select oid from rels)
  union all select 'r' || d.objid, 'e' || d.objsubid || ':' || d.refclassid || ':' || d.refobjid || ':' || d.deptype::text || ':' || d.xmin
    from pg_depend d where d.classid = 'pg_class'::regclass and d.objid in (select oid from rels)
  union all select 't' || oid, 'T' || xmin from types
  union all select 't' || e.enumtypid, 'E' || e.oid || ':' || e.xmin from pg_enum e where e.enumtypid in (select oid from types)
  union all select 't' || k.contypid, 'K' || k.oid || ':' || k.xmin from pg_constraint k where k.contypid in (select oid from types)
  union all select 't' || r.rngtypid, 'R' || r.xmin from pg_range r where r.rngtypid in (select oid from types)
  union all select 't' || t.oid, 'A' || a.attnum || ':' || a.xmin from types t join pg_attribute a on a.attrelid = t.typrelid where a.attnum > 0
  union all select 't' || d.objid, 'e' || d.refclassid || ':' || d.refobjid || ':' || d.deptype::text || ':' || d.xmin
    from pg_depend d where d.classid = 'pg_type'::regclass and d.objid in (select oid from types)
  union all select 'f' || oid, 'P' || xmin from procs
  union all select 'f' || d.objid, 'e' || d.refclassid || ':' || d.refobjid || ':' || d.deptype::text || ':' || d.xmin
    from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid in (select oid from procs)
  union all
  select case ds.classoid
           when 'pg_class'::regclass then 'r' || coalesce((select i.indrelid from pg_index i where i.indexrelid = ds.objoid), ds.objoid)
           when 'pg_constraint'::regclass then (select case when k.conrelid <> 0 then 'r' || k.conrelid else 't' || k.contypid end from pg_constraint k where k.oid = ds.objoid)
           when 'pg_trigger'::regclass then (select 'r' || t.tgrelid from pg_trigger t where t.oid = ds.objoid)
           when 'pg_policy'::regclass then (select 'r' || p.polrelid from pg_policy p where p.oid = ds.objoid)
           when 'pg_rewrite'::regclass then (select 'r' || w.ev_class from pg_rewrite w where w.oid = ds.objoid)
           when 'pg_type'::regclass then 't' || ds.objoid
           when 'pg_proc'::regclass then 'f' || ds.objoid
         end,
         'D' || ds.classoid || ':' || ds.objoid || ':' || ds.objsubid || ':' || ds.xmin
  from pg_description ds where ds.objoid >= 16384
)
select owner, md5(string_agg(tag, ',' order by tag)) as fingerprint from parts where owner is not null group by owner
`;

/** Catalog rows that change how names print everywhere: when any of them changes, the next snapshot is a full one. */
const GLOBAL_SQL = `
select md5(concat_ws('|',
  (select string_agg(oid || ':' || rolname, ',' order by oid) from pg_roles),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_namespace),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_collation where oid >= 16384),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_opclass where oid >= 16384),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_opfamily where oid >= 16384),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_operator where oid >= 16384),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_ts_config where oid >= 16384),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_foreign_server),
  (select string_agg(oid || ':' || xmin, ',' order by oid) from pg_extension)
)) as fingerprint`;

/** Owners that depend, at any depth, on the given ones (a view on a renamed table, a column of a renamed type...). */
const DEPENDENTS_SQL = `
with recursive seeds(classid, objid) as (
  select 'pg_class'::regclass::oid, o from unnest($1::oid[]) o
  union all select 'pg_class'::regclass, i.indexrelid from pg_index i where i.indrelid = any($1::oid[])
  union all select 'pg_type'::regclass, t.oid from pg_type t where t.typrelid = any($1::oid[])
  union all select 'pg_constraint'::regclass, k.oid from pg_constraint k where k.conrelid = any($1::oid[]) or k.contypid = any($2::oid[])
  union all select 'pg_type'::regclass, o from unnest($2::oid[]) o
  union all select 'pg_proc'::regclass, o from unnest($3::oid[]) o
),
dependents(classid, objid, depth) as (
  select d.classid, d.objid, 1 from pg_depend d join seeds s on d.refclassid = s.classid and d.refobjid = s.objid
  union
  select d.classid, d.objid, x.depth + 1 from pg_depend d join dependents x on d.refclassid = x.classid and d.refobjid = x.objid where x.depth < 20
)
select distinct case x.classid
    when 'pg_class'::regclass then (select case when c.relkind in ('i', 'I') then 'r' || (select i.indrelid from pg_index i where i.indexrelid = c.oid)
                                                when c.relkind = 'c' then 't' || c.reltype else 'r' || c.oid end
                                   from pg_class c where c.oid = x.objid)
    when 'pg_type'::regclass then (select case when t.typrelid <> 0 and (select c.relkind from pg_class c where c.oid = t.typrelid) <> 'c' then 'r' || t.typrelid else 't' || t.oid end
                                  from pg_type t where t.oid = x.objid)
    when 'pg_proc'::regclass then 'f' || x.objid
    when 'pg_constraint'::regclass then (select case when k.conrelid <> 0 then 'r' || k.conrelid else 't' || k.contypid end from pg_constraint k where k.oid = x.objid)
    when 'pg_attrdef'::regclass then (select 'r' || d.adrelid from pg_attrdef d where d.oid = x.objid)
    when 'pg_rewrite'::regclass then (select 'r' || w.ev_class from pg_rewrite w where w.oid = x.objid)
    when 'pg_trigger'::regclass then (select 'r' || t.tgrelid from pg_trigger t where t.oid = x.objid)
    when 'pg_policy'::regclass then (select 'r' || p.polrelid from pg_policy p where p.oid = x.objid)
  end as owner
from dependents x`;

function oidsOf(owners: Iterable<string>, kind: 'r' | 't' | 'f'): number[] {
  return [...owners].filter((o) => o[0] === kind).map((o) => Number(o.slice(1)));
}

function fromRows(rows: SnapshotRow[]): { snapshot: Snapshot; owners: Map<string, string> } {
  const snapshot: Snapshot = new Map();
  const owners = new Map<string, string>();
  for (const row of rows) {
    snapshot.set(row.key, { key: row.key, parent: row.parent, attrs: row.attrs });
    owners.set(row.key, row.owner);
  }
  return { snapshot, owners };
}

function serialize(snapshot: Snapshot): string {
  return JSON.stringify([...snapshot.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((i) => [i.key, i.parent, Object.entries(i.attrs).sort()]));
}

export class SnapshotTracker {
  private snapshot: Snapshot | undefined;
  private owners = new Map<string, string>();
  private fingerprints = new Map<string, string>();
  private global = '';
  /** Snapshots read in full / incrementally, for the benchmark and tests. */
  readonly counts = { full: 0, incremental: 0 };

  constructor(private readonly sql: Sql, private readonly verify = process.env.RB_CHECK_VERIFY_SNAPSHOTS === '1') {}

  /** The schema now (the returned map is never changed afterwards). */
  async take(): Promise<Snapshot> {
    const [fingerprintRows, [global]] = await Promise.all([
      this.sql.unsafe<{ owner: string; fingerprint: string }[]>(FINGERPRINT_SQL),
      this.sql.unsafe<{ fingerprint: string }[]>(GLOBAL_SQL),
    ]);
    const fingerprints = new Map(fingerprintRows.map((r) => [r.owner, r.fingerprint]));
    const previous = this.snapshot;
    let snapshot: Snapshot;
    if (!previous || global.fingerprint !== this.global) {
      const full = fromRows(await readSnapshotRows(this.sql));
      snapshot = full.snapshot;
      this.owners = full.owners;
      this.counts.full += 1;
    } else {
      snapshot = await this.update(previous, fingerprints);
      this.counts.incremental += 1;
      if (this.verify) await this.verifyAgainstFull(snapshot);
    }
    this.snapshot = snapshot;
    this.fingerprints = fingerprints;
    this.global = global.fingerprint;
    return snapshot;
  }

  private async update(previous: Snapshot, fingerprints: Map<string, string>): Promise<Snapshot> {
    const changed = new Set<string>();
    for (const [owner, fingerprint] of fingerprints) if (this.fingerprints.get(owner) !== fingerprint) changed.add(owner);
    for (const owner of this.fingerprints.keys()) if (!fingerprints.has(owner)) changed.add(owner);
    const affected = new Set(changed);
    if (changed.size) {
      const dependents = await this.sql.unsafe<{ owner: string | null }[]>(DEPENDENTS_SQL, [oidsOf(changed, 'r'), oidsOf(changed, 't'), oidsOf(changed, 'f')]);
      for (const { owner } of dependents) if (owner) affected.add(owner);
    }
    // Schemas, extensions and default privileges ("" owner) are read every time.
    const rows = await readSnapshotRows(this.sql, { relations: oidsOf(affected, 'r'), types: oidsOf(affected, 't'), functions: oidsOf(affected, 'f') });
    const snapshot: Snapshot = new Map();
    const owners = new Map<string, string>();
    for (const [key, item] of previous) {
      const owner = this.owners.get(key)!;
      if (owner === '' || affected.has(owner)) continue;
      snapshot.set(key, item);
      owners.set(key, owner);
    }
    for (const row of rows) {
      snapshot.set(row.key, { key: row.key, parent: row.parent, attrs: row.attrs });
      owners.set(row.key, row.owner);
    }
    this.owners = owners;
    return snapshot;
  }

  private async verifyAgainstFull(snapshot: Snapshot): Promise<void> {
    const full = await takeSnapshot(this.sql);
    if (serialize(full) === serialize(snapshot)) return;
    const differing = [...new Set([...full.keys(), ...snapshot.keys()])]
      .filter((key) => JSON.stringify(full.get(key)) !== JSON.stringify(snapshot.get(key)))
      .slice(0, 5);
    throw new RbError(`rb check's incremental schema snapshot differs from a full one (RB_CHECK_VERIFY_SNAPSHOTS=1) at ${differing.join('; ')}; this is a bug in rb`, 70);
  }
}
