import type { Sql } from '../client.ts';
import { RbError } from '../errors.ts';
import { qualified, TOOLING_TABLES } from '../rb-tables.ts';
import { PREPARED, readSnapshotRows, snapshotSql, takeSnapshot, type Snapshot, type SnapshotRow } from './schema-snapshot.ts';

/*
 * Incremental schema snapshots for the round trip. A full snapshot prints every definition (20-60 ms
 * on a long history's schema) and the round trip needs two per migration, yet a migration touches a
 * few objects. The tracker keeps the last snapshot and reads again only the snapshot owners (a
 * relation with its columns, defaults, constraints, indexes, triggers, policies, rules and comments;
 * a type; a function) that steps changed since. When one of them prints differently to others
 * (renamed, moved to another schema, a column renamed or retyped), a second query reads again every
 * object that depends on it in pg_depend at any depth (a renamed table changes the text of the
 * views, foreign keys and triggers that name it). Schemas, extensions and default privileges are
 * read every time.
 *
 * What changed, for the steps rb's session runs (migration-steps.ts reports both before each COMMIT):
 *   - rows a step inserts or updates carry its transaction id, or a newer subtransaction's, in xmin:
 *     after the commit they are the rows whose xmin is at least the next transaction id noted at the
 *     previous snapshot (only the catalogs the step wrote, per its transaction's statistics counts);
 *   - rows it deletes are gone after the commit, but PostgreSQL deletes catalog rows only for an
 *     object it has locked: the object dropped, or the table whose index, constraint, trigger,
 *     policy, rule, default or comment goes (DDL takes SHARE UPDATE EXCLUSIVE or stronger on it).
 *     So the relations and types/functions the step's transaction holds such locks on count as changed.
 * No other session writes the scratch database's catalogs. A step rb's session did not run (dbmate)
 * makes the next snapshot a full one; so does a lock on an object rb cannot place, or a change to
 * what prints names everywhere (roles, schemas, collations, operator classes and families,
 * operators, text search configurations, foreign servers, extensions).
 * RB_CHECK_VERIFY_SNAPSHOTS=1 compares each incremental snapshot with a full one (tests and the
 * acceptance run do).
 */

/** Per catalog the tracker reads: the object each row belongs to (class of the object, its oid). */
const CATALOG_OBJECTS: Record<string, [alias: string, classid: string, objid: string]> = {
  pg_class: ['c', "'pg_class'::regclass::oid", 'c.oid'],
  pg_attribute: ['a', "'pg_class'::regclass::oid", 'a.attrelid'],
  pg_attrdef: ['d', "'pg_class'::regclass::oid", 'd.adrelid'],
  pg_constraint: ['k', "'pg_constraint'::regclass::oid", 'k.oid'],
  pg_index: ['i', "'pg_class'::regclass::oid", 'i.indrelid'],
  pg_trigger: ['t', "'pg_class'::regclass::oid", 't.tgrelid'],
  pg_policy: ['p', "'pg_class'::regclass::oid", 'p.polrelid'],
  pg_rewrite: ['w', "'pg_class'::regclass::oid", 'w.ev_class'],
  pg_sequence: ['s', "'pg_class'::regclass::oid", 's.seqrelid'],
  pg_inherits: ['h', "'pg_class'::regclass::oid", 'h.inhrelid'],
  pg_type: ['t', "'pg_type'::regclass::oid", 't.oid'],
  pg_enum: ['e', "'pg_type'::regclass::oid", 'e.enumtypid'],
  pg_range: ['r', "'pg_type'::regclass::oid", 'r.rngtypid'],
  pg_proc: ['p', "'pg_proc'::regclass::oid", 'p.oid'],
  pg_description: ['d', 'd.classoid', 'd.objoid'],
  pg_depend: ['d', 'd.classid', 'd.objid'],
  pg_namespace: ['n', "'pg_namespace'::regclass::oid", 'n.oid'],
  pg_extension: ['e', "'pg_extension'::regclass::oid", 'e.oid'],
  pg_collation: ['c', "'pg_collation'::regclass::oid", 'c.oid'],
  pg_opclass: ['o', "'pg_opclass'::regclass::oid", 'o.oid'],
  pg_opfamily: ['o', "'pg_opfamily'::regclass::oid", 'o.oid'],
  pg_operator: ['o', "'pg_operator'::regclass::oid", 'o.oid'],
  pg_ts_config: ['t', "'pg_ts_config'::regclass::oid", 't.oid'],
  pg_foreign_server: ['f', "'pg_foreign_server'::regclass::oid", 'f.oid'],
};
/**
 * Catalogs read through their oid index rather than in full: objects created after initdb have
 * oids from FirstNormalObjectId (16384) on, and the built-in ones below it are not in snapshots
 * (a comment on schema public locks the schema: "global" below).
 */
const USER_OIDS: Record<string, string> = { pg_class: 'c.oid', pg_type: 't.oid', pg_proc: 'p.oid', pg_description: 'd.objoid' };

/** Catalogs whose change makes names print differently everywhere: the next snapshot is a full one. */
const GLOBAL_CATALOGS = ['pg_namespace', 'pg_extension', 'pg_collation', 'pg_opclass', 'pg_opfamily', 'pg_operator', 'pg_ts_config', 'pg_foreign_server'];

/**
 * The snapshot owner of a catalog object (classid, objid) as SQL: "r<oid>" relation, "t<oid>"
 * type, "f<oid>" function, "global", "" (not in snapshots) or null (unknown: it is gone).
 */
const ownerOf = (classid: string, objid: string) => `case ${classid}
    when 'pg_class'::regclass then (
      select case when c.relnamespace in ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace) or c.relkind = 't' then ''
                  when c.relkind in ('i', 'I') then (select 'r' || i.indrelid from pg_index i where i.indexrelid = c.oid)
                  when c.relkind = 'c' then 't' || c.reltype
                  else 'r' || c.oid end
      from pg_class c where c.oid = ${objid})
    when 'pg_type'::regclass then (
      select case when t.typrelid <> 0 and (select c.relkind from pg_class c where c.oid = t.typrelid) <> 'c' then 'r' || t.typrelid else 't' || t.oid end
      from pg_type t where t.oid = ${objid})
    when 'pg_proc'::regclass then 'f' || ${objid}
    when 'pg_constraint'::regclass then (
      select case when k.conrelid <> 0 then 'r' || k.conrelid when k.contypid <> 0 then 't' || k.contypid else '' end from pg_constraint k where k.oid = ${objid})
    when 'pg_attrdef'::regclass then (select 'r' || d.adrelid from pg_attrdef d where d.oid = ${objid})
    when 'pg_rewrite'::regclass then (select 'r' || w.ev_class from pg_rewrite w where w.oid = ${objid})
    when 'pg_trigger'::regclass then (select 'r' || t.tgrelid from pg_trigger t where t.oid = ${objid})
    when 'pg_policy'::regclass then (select 'r' || p.polrelid from pg_policy p where p.oid = ${objid})
    ${GLOBAL_CATALOGS.map((c) => `when '${c}'::regclass then 'global'`).join('\n    ')}
    else ''
  end`;

/**
 * Run in rb's session right before a step's COMMIT: the catalogs its transaction wrote (counts) and
 * the owners of what it holds DDL locks on (SHARE UPDATE EXCLUSIVE or stronger). An object that is
 * gone keeps its own owner when it is a relation, type or function; a dropped index, trigger,
 * policy, rule, default or table constraint is no owner of its own (PostgreSQL locks its table,
 * which is listed); a dropped constraint that may have been a domain's is "constraint" (see stepChanges).
 */
export const OBSERVE_SQL = `
select 'written' as kind, c.relname::text as name from pg_catalog.pg_class c
where c.oid in (${Object.keys(CATALOG_OBJECTS).map((catalog) => `'pg_catalog.${catalog}'::pg_catalog.regclass`).join(', ')})
  and pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) + pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) > 0
union all
select 'locked', coalesce(${ownerOf('l.classid', 'l.objid')},
                          case l.classid when 'pg_type'::regclass then 't' || l.objid when 'pg_proc'::regclass then 'f' || l.objid
                                         when 'pg_constraint'::regclass then 'constraint' else '' end)
from pg_catalog.pg_locks l
where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'object' and l.database <> 0
  and l.mode in ('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
union all
select 'locked', coalesce(${ownerOf("'pg_class'::regclass", 'l.relation')}, 'r' || l.relation)
from pg_catalog.pg_locks l
where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'relation' and l.database <> 0
  and l.mode in ('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')`.replace(/from pg_(class|type|index|constraint|attrdef|rewrite|trigger|policy) /g, 'from pg_catalog.pg_$1 ');

/** What a step's transaction changed, from OBSERVE_SQL. */
export interface StepChanges {
  /** Catalogs it inserted into or updated. */
  written: string[];
  /** Owners it holds DDL locks on ("unknown": an object rb cannot place). */
  locked: string[];
}

/**
 * sectionSql: the SQL the step ran. A constraint dropped by ALTER DOMAIN leaves no other trace (its
 * domain is not locked): then the owner is unknown and the next snapshot a full one; any other
 * dropped constraint was a table's, whose lock is listed.
 */
export function stepChanges(rows: { kind: string; name: string }[], sectionSql: string): StepChanges {
  const domains = /\balter\s+domain\b/i.test(sectionSql);
  return {
    written: rows.filter((r) => r.kind === 'written').map((r) => r.name),
    locked: rows.filter((r) => r.kind === 'locked' && r.name !== '').map((r) => (r.name === 'constraint' ? (domains ? 'unknown' : '') : r.name)).filter(Boolean),
  };
}

/** The next transaction id (32 bits, as xmin holds it) and who the roles are (their names print as owners). */
const BOUNDARY_SQL = `
select (pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::int8 % 4294967296)::text as next,
       (select pg_catalog.md5(pg_catalog.string_agg(oid || ':' || rolname, ',' order by oid)) from pg_roles) as roles`;

/**
 * One query for an incremental snapshot ($1 rb's tables, $2 the boundary transaction id, $3 the
 * owners the steps locked): the owners of rows of the given catalogs written since the boundary,
 * with the locked ones; their snapshot rows; and, on each row, the next boundary, the roles,
 * whether something global changed and the owners read.
 */
function takeSql(catalogs: string[]): string {
  const hits = catalogs.map((catalog) => {
    const [alias, classid, objid] = CATALOG_OBJECTS[catalog];
    const userOids = USER_OIDS[catalog] ? `${USER_OIDS[catalog]} >= 16384 and ` : '';
    return `select ${classid} as classid, ${objid} as objid from ${catalog} ${alias} where ${userOids}age(${alias}.xmin) <= age($2::xid)`;
  });
  const written = hits.length
    ? `select ${ownerOf('o.classid', 'o.objid')} from (select distinct classid, objid from (${hits.join('\n    union all ')}) h) o`
    : 'select null::text where $2::xid is null and false';
  const leadingCtes = `
written(owner) as (
  ${written}
),
changed(owner) as (select owner from written where owner is not null and owner <> '' union select unnest($3::text[])),
${SCOPE_CTE},
boundary as (${BOUNDARY_SQL})`;
  return snapshotSql({
    ...SCOPED_BY_CTE, leadingCtes,
    extraColumns: ', (select next from boundary) as next, (select roles from boundary) as roles, (select global from scope) as global, (select owners from scope) as affected',
  });
}

/** The oid sets of the owners in a CTE named changed(owner), as snapshotSql reads them. */
const SCOPE_CTE = `scope as (
  select coalesce(array_agg(substr(owner, 2)::oid) filter (where owner like 'r%'), '{}') as relations,
         coalesce(array_agg(substr(owner, 2)::oid) filter (where owner like 't%'), '{}') as types,
         coalesce(array_agg(substr(owner, 2)::oid) filter (where owner like 'f%'), '{}') as functions,
         coalesce(bool_or(owner = 'global'), false) as global,
         coalesce(array_agg(owner), '{}') as owners
  from changed where owner is not null and owner <> ''
)`;
const SCOPED_BY_CTE = { relations: '(select relations from scope)', types: '(select types from scope)', functions: '(select functions from scope)' };

/**
 * The snapshot rows of everything that depends, at any depth, on the owners $2 (a view on a renamed
 * table, a foreign key to it, a column of a renamed type...), and the owners read.
 */
const DEPENDENTS_SQL = snapshotSql({
  ...SCOPED_BY_CTE,
  leadingCtes: `
renamed(owner) as (select unnest($2::text[])),
seeds(classid, objid) as (
  select 'pg_class'::regclass::oid, substr(owner, 2)::oid from renamed where owner like 'r%'
  union all select 'pg_class'::regclass, i.indexrelid from pg_index i where i.indrelid in (select substr(owner, 2)::oid from renamed where owner like 'r%')
  union all select 'pg_type'::regclass, t.oid from pg_type t where t.typrelid in (select substr(owner, 2)::oid from renamed where owner like 'r%')
  union all select 'pg_type'::regclass, substr(owner, 2)::oid from renamed where owner like 't%'
  union all select 'pg_proc'::regclass, substr(owner, 2)::oid from renamed where owner like 'f%'
),
dependents(classid, objid, depth) as (
  select d.classid, d.objid, 1 from pg_depend d join seeds s on d.refclassid = s.classid and d.refobjid = s.objid
  union
  select d.classid, d.objid, x.depth + 1 from pg_depend d join dependents x on d.refclassid = x.classid and d.refobjid = x.objid where x.depth < 20
),
changed(owner) as (select distinct ${ownerOf('x.classid', 'x.objid')} from dependents x),
${SCOPE_CTE}`,
  extraColumns: ', (select owners from scope) as affected',
});

/**
 * What other objects print of an owner: its qualified name (the key of its table/view/type/function
 * item) and its columns' names and types. When that changed (a rename, a new type), the texts of
 * the objects that depend on it (views, foreign keys, defaults, triggers...) may change too.
 */
function printedNames(snapshot: Snapshot, keys: Iterable<string>): string[] {
  const names: string[] = [];
  for (const key of keys) {
    if (key.startsWith('column ')) names.push(`${key} ${snapshot.get(key)!.attrs.type}`);
    else if (!/^(constraint|index|trigger|policy|rule) /.test(key)) names.push(key);
  }
  return names.sort();
}

function serialize(snapshot: Snapshot): string {
  return JSON.stringify([...snapshot.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((i) => [i.key, i.parent, Object.entries(i.attrs).sort()]));
}

export class SnapshotTracker {
  private snapshot: Snapshot | undefined;
  private owners = new Map<string, string>();
  private boundary = '';
  private roles = '';
  /** Owners steps since the last snapshot held DDL locks on. */
  private readonly locked = new Set<string>();
  /** Catalogs steps since the last snapshot wrote. */
  private readonly written = new Set<string>();
  /** False after a step the tracker could not watch: the next snapshot is a full one. */
  private watched = true;
  /** Snapshots read in full / incrementally (for tests and the benchmark). */
  readonly counts = { full: 0, incremental: 0 };

  constructor(private readonly sql: Sql, private readonly verify = process.env.RB_CHECK_VERIFY_SNAPSHOTS === '1') {}

  /** What a step's transaction changed (read by OBSERVE_SQL right before its COMMIT). */
  observed(changes: StepChanges): void {
    for (const catalog of changes.written) if (catalog in CATALOG_OBJECTS) this.written.add(catalog);
    for (const owner of changes.locked) this.locked.add(owner);
  }

  /** A step ran where the tracker could not watch it (through dbmate): the next snapshot is read in full. */
  unwatched(): void {
    this.watched = false;
  }

  /** The schema now (the returned map is never changed afterwards). */
  async take(): Promise<Snapshot> {
    let snapshot: Snapshot | undefined;
    let next: string | undefined;
    let roles: string | undefined;
    if (this.snapshot && this.watched && !this.locked.has('unknown') && !this.locked.has('global')) {
      type TakeRow = SnapshotRow & { next: string; roles: string; global: boolean; affected: string[] };
      const params = [TOOLING_TABLES.map(qualified), this.boundary, [...this.locked]];
      const rows = await this.sql.unsafe<TakeRow[]>(takeSql([...this.written].sort()), params, PREPARED);
      if (rows.length) ({ next, roles } = rows[0]);
      if (rows.length && !rows[0].global && roles === this.roles) {
        snapshot = await this.withDependents(this.snapshot, new Set(rows[0].affected), rows);
        this.counts.incremental += 1;
        if (this.verify) await this.verifyAgainstFull(snapshot);
      }
    }
    if (!snapshot) {
      if (next === undefined) [{ next, roles }] = await this.sql.unsafe<{ next: string; roles: string }[]>(`select * from (${BOUNDARY_SQL}) b`, [], PREPARED);
      snapshot = this.replace(new Map(), new Set(), await readSnapshotRows(this.sql), true);
      this.counts.full += 1;
    }
    this.snapshot = snapshot;
    this.boundary = next!;
    this.roles = roles!;
    this.locked.clear();
    this.written.clear();
    this.watched = true;
    return snapshot;
  }

  /**
   * previous with the changed owners read again; when one of them prints differently to others
   * (renamed, a column renamed or retyped), what depends on it is read again too.
   */
  private async withDependents(previous: Snapshot, changed: Set<string>, rows: SnapshotRow[]): Promise<Snapshot> {
    const previousOwners = this.owners;
    const before = new Map<string, string[]>();
    for (const [key, owner] of previousOwners) if (changed.has(owner)) before.set(owner, [...(before.get(owner) ?? []), key]);
    const snapshot = this.replace(previous, changed, rows, false);
    const after = new Map<string, string[]>();
    for (const row of rows) after.set(row.owner, [...(after.get(row.owner) ?? []), row.key]);
    const renamed = [...changed].filter((owner) => {
      const old = printedNames(previous, before.get(owner) ?? []);
      const now = new Set(printedNames(snapshot, after.get(owner) ?? []));
      // A new owner has no dependents that existed before it; a dropped one takes its dependents
      // along (they are locked too); a new column is printed by nothing that existed before it.
      return now.size > 0 && old.some((name) => !now.has(name));
    });
    if (!renamed.length) return snapshot;
    type DependentRow = SnapshotRow & { affected: string[] };
    const dependents = await this.sql.unsafe<DependentRow[]>(DEPENDENTS_SQL, [TOOLING_TABLES.map(qualified), renamed], PREPARED);
    if (!dependents.length) return snapshot;
    return this.replace(snapshot, new Set(dependents[0].affected), dependents, false);
  }

  /** previous without the items of the affected owners (all of them when full), plus rows. */
  private replace(previous: Snapshot, affected: Set<string>, rows: SnapshotRow[], full: boolean): Snapshot {
    const snapshot: Snapshot = new Map();
    const owners = new Map<string, string>();
    if (!full) {
      for (const [key, item] of previous) {
        const owner = this.owners.get(key)!;
        if (owner === '' || affected.has(owner)) continue;
        snapshot.set(key, item);
        owners.set(key, owner);
      }
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
