import type { Sql } from '../client.ts';
import { qualified, TOOLING_TABLES } from '../rb-tables.ts';

/** One schema object as the round trip compares it: a readable key and its attributes. */
export interface SnapshotItem {
  /** "table app.t", "column app.t.c", "index app.t_a_idx", "type app.mood", "function app.f(integer)"... */
  key: string;
  /** Key of the object this one belongs to (a column's table), to report only the outermost change. */
  parent: string | null;
  /** Attribute name -> text (definition, default, type, acl, comment...). Absent = none. */
  attrs: Record<string, string>;
}

export type Snapshot = Map<string, SnapshotItem>;

/*
 * One catalog query instead of pg_dump: measured here, a snapshot takes a few milliseconds while
 * a pg_dump --schema-only run costs ~0.3 s, and the round trip takes two per migration.
 * The connection runs with search_path=pg_catalog so every name printed by pg_get_*def and
 * format_type is schema-qualified. A NULL acl (the owner's default privileges) is compared as
 * acldefault(), so a GRANT undone by its REVOKE counts as undone. Objects that belong to an
 * extension are left out (the
 * extension itself is compared), as are dbmate's and rb's own tables ($1, src/rb-tables.ts).
 */
/**
 * The snapshot query. Scoped: only the owners in the three oid sets (SQL expressions yielding oid[],
 * by default the parameters $2, $3, $4), with leading common table expressions and extra output
 * columns when another query builds on it (snapshot-tracker.ts computes the sets in the same query).
 */
export interface SnapshotQueryScope {
  relations: string;
  types: string;
  functions: string;
  /** "name as (...), ..." placed before the snapshot's own (WITH RECURSIVE). */
  leadingCtes?: string;
  /** ", expression as name, ..." added to each output row. */
  extraColumns?: string;
}

export const snapshotSql = (scope?: SnapshotQueryScope) => { const scoped = scope !== undefined; return `
with recursive ${scope?.leadingCtes ? `${scope.leadingCtes},\n` : ''}user_ns as (
  select n.oid, n.nspname from pg_namespace n
  where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
    and not exists (select 1 from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
),
ext_members as (
  select objid, classid from pg_depend where deptype = 'e'
),
rels as (
  select c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
         c.reloptions, c.relispartition, n.nspname, n.nspname || '.' || c.relname as qname
  from ${scoped ? `unnest(${scope.relations}) sel(oid) join pg_class c on c.oid = sel.oid` : 'pg_class c'} join user_ns n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and not (n.nspname || '.' || c.relname = any($1::text[]) and c.relkind in ('r', 'p'))
    and ${notExtensionMember(scoped, 'pg_class', 'c')}
),
items(owner, key, parent, attrs) as (
  select ''::text, 'schema ' || n.nspname, null::text,
         jsonb_build_object('owner', pg_get_userbyid(s.nspowner), 'acl', coalesce(s.nspacl, acldefault('n', s.nspowner))::text, 'comment', obj_description(n.oid, 'pg_namespace'))
  from user_ns n join pg_namespace s on s.oid = n.oid
  union all
  select '', 'extension ' || e.extname, null, jsonb_build_object('schema', e.extnamespace::regnamespace::text, 'version', e.extversion)
  from pg_extension e where e.extname <> 'plpgsql'
  union all
  select 'r' || r.oid, case r.relkind when 'r' then 'table ' when 'p' then 'table ' when 'v' then 'view ' when 'm' then 'materialized view '
                        when 'S' then 'sequence ' else 'foreign table ' end || r.qname,
         case when r.relkind = 'S' then (
           select 'table ' || tn.nspname || '.' || t.relname from pg_depend d join pg_class t on t.oid = d.refobjid
           join pg_namespace tn on tn.oid = t.relnamespace
           where d.classid = 'pg_class'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i') limit 1)
         end,
         jsonb_build_object(
           'owner', pg_get_userbyid(r.relowner), 'acl', coalesce(r.relacl, acldefault((case when r.relkind = 'S' then 's' else 'r' end)::"char", r.relowner))::text, 'comment', obj_description(r.oid, 'pg_class'),
           'persistence', case r.relpersistence when 'u' then 'unlogged' when 't' then 'temporary' end,
           'row level security', case when r.relrowsecurity then case when r.relforcerowsecurity then 'forced' else 'enabled' end end,
           'options', r.reloptions::text,
           'definition', case when r.relkind in ('v', 'm') then pg_get_viewdef(r.oid) end,
           'partition key', case when r.relkind = 'p' then pg_get_partkeydef(r.oid) end,
           'partition of', case when r.relispartition then (select i.inhparent::regclass::text || ' ' || pg_get_expr(c.relpartbound, c.oid)
                                                             from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhrelid = r.oid) end,
           'inherits', case when not r.relispartition then (select string_agg(i.inhparent::regclass::text, ', ' order by i.inhseqno)
                                                             from pg_inherits i where i.inhrelid = r.oid) end,
           'sequence', case when r.relkind = 'S' then (
             select format('%s start %s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, null), s.seqstart, s.seqincrement,
                           s.seqmin, s.seqmax, s.seqcache, case when s.seqcycle then ' cycle' else '' end)
             from pg_sequence s where s.seqrelid = r.oid) end)
  from rels r
  union all
  select 'r' || r.oid, 'column ' || r.qname || '.' || a.attname,
         case r.relkind when 'f' then 'foreign table ' else 'table ' end || r.qname,
         jsonb_build_object(
           'position', (row_number() over (partition by a.attrelid order by a.attnum))::text,
           'type', format_type(a.atttypid, a.atttypmod),
           'not null', case when a.attnotnull then 'not null' end,
           'default', case when a.attgenerated = '' then pg_get_expr(ad.adbin, ad.adrelid) end,
           'generated', case when a.attgenerated <> '' then pg_get_expr(ad.adbin, ad.adrelid) end,
           'identity', case a.attidentity when 'a' then 'always' when 'd' then 'by default' end,
           'collation', case when a.attcollation <> 0 and a.attcollation <> (select typcollation from pg_type where oid = a.atttypid)
                             then a.attcollation::regcollation::text end,
           'acl', nullif(a.attacl, '{}')::text, 'comment', col_description(a.attrelid, a.attnum))
  from rels r join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
  where r.relkind in ('r', 'p', 'f')
  union all
  select 'r' || r.oid, 'constraint ' || r.qname || '.' || con.conname, 'table ' || r.qname,
         jsonb_build_object('definition', pg_get_constraintdef(con.oid), 'comment', obj_description(con.oid, 'pg_constraint'))
  from pg_constraint con join rels r on r.oid = con.conrelid
  union all
  select 'r' || r.oid, 'index ' || n.nspname || '.' || ic.relname, 'table ' || r.qname,
         jsonb_build_object('definition', pg_get_indexdef(i.indexrelid), 'comment', obj_description(i.indexrelid, 'pg_class'),
                            'clustered', case when i.indisclustered then 'clustered' end,
                            'valid', case when not i.indisvalid then 'INVALID' end)
  from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_namespace n on n.oid = ic.relnamespace
  join rels r on r.oid = i.indrelid
  where not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x'))
  union all
  select 'r' || r.oid, 'trigger ' || r.qname || '.' || t.tgname, 'table ' || r.qname,
         jsonb_build_object('definition', pg_get_triggerdef(t.oid), 'enabled', case t.tgenabled when 'O' then null when 'D' then 'disabled'
                            when 'R' then 'replica' else 'always' end, 'comment', obj_description(t.oid, 'pg_trigger'))
  from pg_trigger t join rels r on r.oid = t.tgrelid
  where not t.tgisinternal
  union all
  select 'r' || r.oid, 'policy ' || r.qname || '.' || p.polname, 'table ' || r.qname,
         jsonb_build_object('command', p.polcmd::text, 'permissive', case when p.polpermissive then 'permissive' else 'restrictive' end,
                            'roles', (select string_agg(case when x = 0 then 'public' else pg_get_userbyid(x) end, ', ' order by 1) from unnest(p.polroles) x),
                            'using', pg_get_expr(p.polqual, p.polrelid), 'with check', pg_get_expr(p.polwithcheck, p.polrelid))
  from pg_policy p join rels r on r.oid = p.polrelid
  union all
  select 'r' || r.oid, 'rule ' || r.qname || '.' || rw.rulename, 'table ' || r.qname, jsonb_build_object('definition', pg_get_ruledef(rw.oid))
  from pg_rewrite rw join rels r on r.oid = rw.ev_class
  where rw.rulename <> '_RETURN'
  union all
  select 't' || t.oid, 'type ' || n.nspname || '.' || t.typname, null,
         jsonb_build_object(
           'kind', case t.typtype when 'e' then 'enum' when 'd' then 'domain' when 'c' then 'composite' when 'r' then 'range' else 'base' end,
           'labels', case when t.typtype = 'e' then (select string_agg(e.enumlabel, ', ' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) end,
           'base type', case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end,
           'not null', case when t.typnotnull then 'not null' end,
           'default', t.typdefault,
           'constraints', case when t.typtype = 'd' then (select string_agg(c.conname || ' ' || pg_get_constraintdef(c.oid), ', ' order by c.conname)
                                                           from pg_constraint c where c.contypid = t.oid) end,
           'attributes', case when t.typtype = 'c' then (select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum)
                                                          from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) end,
           'subtype', case when t.typtype = 'r' then (select format_type(rg.rngsubtype, null) from pg_range rg where rg.rngtypid = t.oid) end,
           'owner', pg_get_userbyid(t.typowner), 'acl', coalesce(t.typacl, acldefault('T', t.typowner))::text, 'comment', obj_description(t.oid, 'pg_type'))
  from ${scoped ? `unnest(${scope.types}) sel(oid) join pg_type t on t.oid = sel.oid` : 'pg_type t'} join user_ns n on n.oid = t.typnamespace
  where t.typtype in ('e', 'd', 'c', 'r', 'b')
    and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
    and not (t.typtype = 'b' and t.typcategory = 'A')
    and ${notExtensionMember(scoped, 'pg_type', 't')}
  union all
  select 'f' || p.oid, case p.prokind when 'p' then 'procedure ' when 'a' then 'aggregate ' when 'w' then 'window function ' else 'function ' end
           || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null,
         jsonb_build_object(
           'definition', case when p.prokind in ('f', 'p', 'w') then pg_get_functiondef(p.oid) else pg_get_function_result(p.oid) end,
           'owner', pg_get_userbyid(p.proowner), 'acl', coalesce(p.proacl, acldefault('f', p.proowner))::text, 'comment', obj_description(p.oid, 'pg_proc'))
  from ${scoped ? `unnest(${scope.functions}) sel(oid) join pg_proc p on p.oid = sel.oid` : 'pg_proc p'} join user_ns n on n.oid = p.pronamespace
  where ${notExtensionMember(scoped, 'pg_proc', 'p')}
  union all
  select '', 'default privileges of ' || pg_get_userbyid(d.defaclrole) || coalesce(' in schema ' || d.defaclnamespace::regnamespace::text, '')
           || ' on ' || case d.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                                          when 'T' then 'types' else 'schemas' end, null,
         jsonb_build_object('acl', d.defaclacl::text)
  from pg_default_acl d
)
select owner, key, parent, jsonb_strip_nulls(attrs) as attrs${scope?.extraColumns ?? ''} from items
`; };

/**
 * Objects that belong to an extension are left out. The full snapshot hashes every extension
 * member once; a scoped one (a few owners, see readSnapshotRows) looks each candidate up.
 */
function notExtensionMember(scoped: boolean, catalog: string, alias: string): string {
  return scoped
    ? `not exists (select from pg_depend x where x.classid = '${catalog}'::regclass and x.objid = ${alias}.oid and x.deptype = 'e')`
    : `${alias}.oid not in (select objid from ext_members where classid = '${catalog}'::regclass)`;
}

const SNAPSHOT_SQL = snapshotSql();
/**
 * Named prepared statements (postgres.js leaves unsafe() queries unnamed, so planned on every
 * run): planning the snapshot query costs more than running it on a few owners. A connection
 * that reads many snapshots should also set plan_cache_mode=force_generic_plan (rb check's does).
 */
export const PREPARED = { prepare: true } as const;
const SCOPED_SNAPSHOT_SQL = snapshotSql({ relations: '$2::oid[]', types: '$3::oid[]', functions: '$4::oid[]' });

/**
 * Which catalog object an item's text comes from: "r<oid>" a relation (its columns, constraints,
 * indexes, triggers, policies and rules too), "t<oid>" a type, "f<oid>" a function; "" for
 * schemas, extensions and default privileges (few, always read). Incremental snapshots re-read
 * only the owners that changed (snapshot-tracker.ts).
 */
export interface SnapshotRow {
  owner: string;
  key: string;
  parent: string | null;
  attrs: Record<string, string>;
}

/** The owners to read: relation, type and function oids. */
export interface SnapshotScope {
  relations: number[];
  types: number[];
  functions: number[];
}

/** Reads the snapshot rows of the database sql is connected to (search_path=pg_catalog), all or only some owners. */
export async function readSnapshotRows(sql: Sql, scope?: SnapshotScope): Promise<SnapshotRow[]> {
  if (!scope) return sql.unsafe<SnapshotRow[]>(SNAPSHOT_SQL, [TOOLING_TABLES.map(qualified)], PREPARED);
  return sql.unsafe<SnapshotRow[]>(SCOPED_SNAPSHOT_SQL, [TOOLING_TABLES.map(qualified), scope.relations, scope.types, scope.functions], PREPARED);
}

/** Reads the schema of the database sql is connected to (use a client with search_path=pg_catalog). */
export async function takeSnapshot(sql: Sql): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  for (const row of await readSnapshotRows(sql)) snapshot.set(row.key, { key: row.key, parent: row.parent, attrs: row.attrs });
  return snapshot;
}
