import {
  TOOLING_TABLES,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  quoteIdent,
  recreateDatabase
} from "./chunk-HJV3SOPZ.js";
import {
  asConnectionError,
  connect
} from "./chunk-EKB3CR5R.js";
import {
  withDatabase
} from "./chunk-ZES4J75L.js";

// dist/check/scratch-database.js
import { randomBytes } from "node:crypto";
var KEEPER_PREFIX = "rb check ";
async function dropStaleScratchDatabases(sql) {
  const stale = await sql`
    select d.datname from pg_database d
     where d.datname like 'rb\\_check\\_%'
       and not exists (select 1 from pg_stat_activity a where a.application_name = ${KEEPER_PREFIX} || d.datname)`;
  const dropped = [];
  for (const { datname } of stale) {
    try {
      await sql.unsafe(`drop database if exists ${quoteIdent(datname)} with (force)`);
      dropped.push(datname);
    } catch (error) {
      if (error.code !== "42501")
        throw error;
    }
  }
  return dropped;
}
async function createScratchDatabase(targetUrl, purpose = "rb check") {
  const name = `rb_check_${process.pid}_${randomBytes(3).toString("hex")}`;
  const keeper = connect(targetUrl, { max: 1, connection: { application_name: `${KEEPER_PREFIX}${name}` } });
  try {
    await keeper`select 1`;
    await dropStaleScratchDatabases(keeper);
    await recreateDatabase(keeper, name, `${purpose} (its scratch database)`);
  } catch (error) {
    await keeper.end({ timeout: 5 });
    throw asConnectionError(error, targetUrl);
  }
  const recreate = () => recreateDatabase(keeper, name, `${purpose} (its scratch database)`);
  const drop = async () => {
    try {
      await keeper.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    } finally {
      await keeper.end({ timeout: 5 });
    }
  };
  return { name, url: withDatabase(targetUrl, name), recreate, drop };
}

// dist/check/schema-diff.js
var MAX_VALUE = 120;
function shown(value, other) {
  if (value === void 0)
    return "none";
  let text = value.replace(/\s+/g, " ").trim();
  if (value.includes("\n") && other !== void 0 && text.length > MAX_VALUE) {
    const a = value.split("\n");
    const b = other.split("\n");
    const index = a.findIndex((line, i) => line !== b[i]);
    text = index === -1 ? `${a.length} lines` : `line ${index + 1} "${a[index].trim()}"`;
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}\u2026` : text;
  }
  text = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}\u2026` : text;
  return /^\d+$/.test(text) ? text : `"${text}"`;
}
function changedAttributes(before, after) {
  const names = [.../* @__PURE__ */ new Set([...Object.keys(before.attrs), ...Object.keys(after.attrs)])].sort();
  const changes = [];
  for (const name of names) {
    const a = before.attrs[name];
    const b = after.attrs[name];
    if (a === b || name === "position")
      continue;
    const attribute = { name, before: shown(a, b), after: shown(b, a) };
    changes.push({ kind: "changed", key: after.key, text: `${after.key}: ${name} changed from ${attribute.before} to ${attribute.after}`, attribute });
  }
  return changes;
}
function longestCommonSubsequence(a, b) {
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const kept = /* @__PURE__ */ new Set();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      kept.add(a[i]);
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1])
      i++;
    else
      j++;
  }
  return kept;
}
function columnsByTable(snapshot) {
  const tables = /* @__PURE__ */ new Map();
  for (const item of snapshot.values()) {
    if (!item.key.startsWith("column ") || !item.parent)
      continue;
    const list = tables.get(item.parent) ?? [];
    list.push(item);
    tables.set(item.parent, list);
  }
  for (const list of tables.values())
    list.sort((x, y) => Number(x.attrs.position) - Number(y.attrs.position));
  return tables;
}
function columnOrderChanges(before, after) {
  const changes = [];
  const afterTables = columnsByTable(after);
  for (const [table, beforeColumns] of [...columnsByTable(before)].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const afterColumns = afterTables.get(table);
    if (!afterColumns)
      continue;
    const afterKeys = new Set(afterColumns.map((c) => c.key));
    const beforeKeys = new Set(beforeColumns.map((c) => c.key));
    const a = beforeColumns.filter((c) => afterKeys.has(c.key)).map((c) => c.key);
    const b = afterColumns.filter((c) => beforeKeys.has(c.key)).map((c) => c.key);
    const kept = longestCommonSubsequence(a, b);
    const moved = a.filter((key) => !kept.has(key));
    if (!moved.length)
      continue;
    const prefix = `column ${table.replace(/^(foreign )?table /, "")}.`;
    const detail = moved.map((key) => `${key.slice(prefix.length)} from position ${before.get(key).attrs.position} to ${after.get(key).attrs.position}`);
    changes.push({
      kind: "changed",
      key: table,
      text: `${table}: column order changed (${detail.join(", ")})`,
      reorderedColumns: moved.map((key) => key.slice(prefix.length))
    });
  }
  return changes;
}
function renameSignature(item) {
  const kind = /^(constraint|index) /.exec(item.key)?.[1];
  const definition = item.attrs.definition;
  if (!kind || !definition || !item.parent)
    return void 0;
  const name = item.key.slice(item.key.lastIndexOf(".") + 1);
  return `${kind} ${item.parent} ${kind === "index" ? definition.replace(` INDEX ${name} ON `, " INDEX ON ") : definition}`;
}
function renames(before, after, removed, added) {
  const addedBySignature = /* @__PURE__ */ new Map();
  for (const key of [...added].sort()) {
    const signature = renameSignature(after.get(key));
    if (signature)
      addedBySignature.set(signature, [...addedBySignature.get(signature) ?? [], key]);
  }
  const changes = [];
  for (const key of [...removed].sort()) {
    const signature = renameSignature(before.get(key));
    const candidates = signature ? addedBySignature.get(signature) : void 0;
    const match = candidates?.shift();
    if (!match)
      continue;
    removed.delete(key);
    added.delete(match);
    const renamedTo = match.slice(match.lastIndexOf(".") + 1);
    changes.push({ kind: "changed", key, text: `${key} was renamed to ${renamedTo} (same definition)`, renamedTo });
  }
  return changes;
}
function diffSnapshots(before, after) {
  const changes = [];
  const added = new Set([...after.keys()].filter((k) => !before.has(k)));
  const removed = new Set([...before.keys()].filter((k) => !after.has(k)));
  changes.push(...renames(before, after, removed, added));
  for (const key of [...added].sort()) {
    const parent = after.get(key).parent;
    if (parent && added.has(parent))
      continue;
    changes.push({ kind: "left-behind", key, text: `${key} was left behind` });
  }
  for (const key of [...removed].sort()) {
    const parent = before.get(key).parent;
    if (parent && removed.has(parent))
      continue;
    changes.push({ kind: "missing", key, text: `${key} existed before the up and is gone after the down` });
  }
  const common = [...before.keys()].filter((k) => after.has(k)).sort();
  for (const key of common)
    changes.push(...changedAttributes(before.get(key), after.get(key)));
  return [...changes, ...columnOrderChanges(before, after)];
}

// dist/check/schema-snapshot.js
var snapshotSql = (scope) => {
  const scoped = scope !== void 0;
  return `
with recursive ${scope?.leadingCtes ? `${scope.leadingCtes},
` : ""}user_ns as (
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
  from ${scoped ? `unnest(${scope.relations}) sel(oid) join pg_class c on c.oid = sel.oid` : "pg_class c"} join user_ns n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    and not (n.nspname || '.' || c.relname = any($1::text[]) and c.relkind in ('r', 'p'))
    and ${notExtensionMember(scoped, "pg_class", "c")}
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
  from ${scoped ? `unnest(${scope.types}) sel(oid) join pg_type t on t.oid = sel.oid` : "pg_type t"} join user_ns n on n.oid = t.typnamespace
  where t.typtype in ('e', 'd', 'c', 'r', 'b')
    and (t.typtype <> 'c' or (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c')
    and not (t.typtype = 'b' and t.typcategory = 'A')
    and ${notExtensionMember(scoped, "pg_type", "t")}
  union all
  select 'f' || p.oid, case p.prokind when 'p' then 'procedure ' when 'a' then 'aggregate ' when 'w' then 'window function ' else 'function ' end
           || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null,
         jsonb_build_object(
           'definition', case when p.prokind in ('f', 'p', 'w') then pg_get_functiondef(p.oid) else pg_get_function_result(p.oid) end,
           'owner', pg_get_userbyid(p.proowner), 'acl', coalesce(p.proacl, acldefault('f', p.proowner))::text, 'comment', obj_description(p.oid, 'pg_proc'))
  from ${scoped ? `unnest(${scope.functions}) sel(oid) join pg_proc p on p.oid = sel.oid` : "pg_proc p"} join user_ns n on n.oid = p.pronamespace
  where ${notExtensionMember(scoped, "pg_proc", "p")}
  union all
  select '', 'default privileges of ' || pg_get_userbyid(d.defaclrole) || coalesce(' in schema ' || d.defaclnamespace::regnamespace::text, '')
           || ' on ' || case d.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions'
                                          when 'T' then 'types' else 'schemas' end, null,
         jsonb_build_object('acl', d.defaclacl::text)
  from pg_default_acl d
)
select owner, key, parent, jsonb_strip_nulls(attrs) as attrs${scope?.extraColumns ?? ""} from items
`;
};
function notExtensionMember(scoped, catalog, alias) {
  return scoped ? `not exists (select from pg_depend x where x.classid = '${catalog}'::regclass and x.objid = ${alias}.oid and x.deptype = 'e')` : `${alias}.oid not in (select objid from ext_members where classid = '${catalog}'::regclass)`;
}
var SNAPSHOT_SQL = snapshotSql();
var PREPARED = { prepare: true };
var SCOPED_SNAPSHOT_SQL = snapshotSql({ relations: "$2::oid[]", types: "$3::oid[]", functions: "$4::oid[]" });
async function readSnapshotRows(sql, scope) {
  if (!scope)
    return sql.unsafe(SNAPSHOT_SQL, [TOOLING_TABLES.map(qualified)], PREPARED);
  return sql.unsafe(SCOPED_SNAPSHOT_SQL, [TOOLING_TABLES.map(qualified), scope.relations, scope.types, scope.functions], PREPARED);
}
async function takeSnapshot(sql) {
  const snapshot = /* @__PURE__ */ new Map();
  for (const row of await readSnapshotRows(sql))
    snapshot.set(row.key, { key: row.key, parent: row.parent, attrs: row.attrs });
  return snapshot;
}

export {
  diffSnapshots,
  snapshotSql,
  PREPARED,
  readSnapshotRows,
  takeSnapshot,
  createScratchDatabase
};
