import type { Sql } from '../client.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';

/**
 * What belongs to a database as a whole rather than to its contents, and what an app may rely on:
 * the restore builds a new database and renames it over the local one, so these are copied from
 * the local database onto the new one. Not copied: security labels, and whatever lives inside the
 * database that the migrations do not create (README, "Production to local").
 */
export interface DatabaseProperties {
  name: string;
  oid: number;
  owner: string;
  encoding: string;
  /** datcollate, datctype, datlocprovider, the ICU/builtin locale: compared with template1's. */
  locale: { collate: string; ctype: string; provider: string; locale: string | null };
  tablespace: string;
  connectionLimit: number;
  /** The ACL as text (null: the default privileges), and its entries (grantee null = PUBLIC). */
  acl: string | null;
  grants: { grantee: string | null; privilege: string; grantable: boolean }[];
  comment: string | null;
  /** ALTER DATABASE ... SET (role null) and ALTER ROLE ... IN DATABASE ... SET, "name=value" each. */
  settings: { role: string | null; config: string[] }[];
}

interface DatabaseRow {
  oid: number;
  owner: string;
  encoding: string;
  tablespace: string;
  acl: string | null;
  comment: string | null;
  /** The whole pg_database row: its locale columns differ between majors (daticulocale 15-16, datlocale 17). */
  row: Record<string, unknown>;
}

/** The properties of a database, or undefined when there is none by that name. */
export async function readDatabaseProperties(sql: Sql, name: string): Promise<DatabaseProperties | undefined> {
  const [db] = await sql<DatabaseRow[]>`
    select d.oid::int as oid, pg_get_userbyid(d.datdba) as owner, pg_encoding_to_char(d.encoding) as encoding, t.spcname as tablespace,
           d.datacl::text as acl, shobj_description(d.oid, 'pg_database') as comment, to_jsonb(d) - 'datacl' as row
    from pg_database d join pg_tablespace t on t.oid = d.dattablespace where d.datname = ${name}`;
  if (!db) return undefined;
  const settings = await sql<{ role: string | null; config: string[] }[]>`
    select case when s.setrole = 0 then null else pg_get_userbyid(s.setrole) end as role, s.setconfig as config
    from pg_db_role_setting s where s.setdatabase = ${db.oid} order by 1 nulls first`;
  const grants = db.acl === null ? [] : await sql<{ grantee: string | null; privilege: string; grantable: boolean }[]>`
    select case when a.grantee = 0 then null else pg_get_userbyid(a.grantee) end as grantee, a.privilege_type as privilege, a.is_grantable as grantable
    from pg_database d, aclexplode(d.datacl) a where d.oid = ${db.oid} order by 1 nulls first, 2`;
  const row = db.row;
  const text = (key: string) => (typeof row[key] === 'string' ? (row[key] as string) : null);
  return {
    name,
    oid: db.oid,
    owner: db.owner,
    encoding: db.encoding,
    locale: {
      collate: text('datcollate') ?? '',
      ctype: text('datctype') ?? '',
      provider: text('datlocprovider') ?? 'c',
      locale: text('datlocale') ?? text('daticulocale'),
    },
    tablespace: db.tablespace,
    connectionLimit: Number(row.datconnlimit ?? -1),
    acl: db.acl,
    grants: grants.map((g) => ({ grantee: g.grantee, privilege: g.privilege, grantable: g.grantable })),
    comment: db.comment,
    settings: settings.map((s) => ({ role: s.role, config: s.config })),
  };
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const sameLocale = (a: DatabaseProperties, b: DatabaseProperties) =>
  a.encoding === b.encoding && JSON.stringify(a.locale) === JSON.stringify(b.locale);

/**
 * CREATE DATABASE for a database like `like` (or a default one when there is none): from
 * template1 as `createdb` and dbmate do when the encoding and locale match template1's, else
 * (or with `template0`: someone is connected to template1) from template0 with them spelled out.
 */
export function createDatabaseStatement(name: string, like: DatabaseProperties | undefined, template1: DatabaseProperties, template0 = false): string {
  const parts = [`create database ${quoteIdent(name)}`];
  if (like) parts.push(`owner ${quoteIdent(like.owner)}`);
  const locale = like ?? template1;
  if (!template0 && sameLocale(locale, template1)) parts.push('template template1');
  else {
    parts.push(`template template0 encoding ${literal(locale.encoding)} lc_collate ${literal(locale.locale.collate)} lc_ctype ${literal(locale.locale.ctype)}`);
    const provider = { c: 'libc', i: 'icu', b: 'builtin' }[locale.locale.provider] ?? 'libc';
    if (provider !== 'libc') parts.push(`locale_provider ${provider}`);
    if (provider === 'icu' && locale.locale.locale) parts.push(`icu_locale ${literal(locale.locale.locale)}`);
    if (provider === 'builtin' && locale.locale.locale) parts.push(`builtin_locale ${literal(locale.locale.locale)}`);
  }
  if (like && like.tablespace !== template1.tablespace) parts.push(`tablespace ${quoteIdent(like.tablespace)}`);
  if (like && like.connectionLimit !== -1) parts.push(`connection limit ${like.connectionLimit}`);
  return parts.join(' ');
}

// Settings whose value is a list of names; pg_dump's variable_is_guc_list_quote() names the same.
const LIST_SETTINGS = new Set(['local_preload_libraries', 'search_path', 'session_preload_libraries', 'shared_preload_libraries', 'temp_tablespaces', 'unix_socket_directories']);

/** "app, \"My Schema\", public" -> ['app', 'My Schema', 'public'] (pg_dump's SplitGUCList). */
function splitList(value: string): string[] {
  const items: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === ' ' || value[i] === ',') i += 1;
    if (i >= value.length) break;
    let item = '';
    if (value[i] === '"') {
      i += 1;
      while (i < value.length) {
        if (value[i] === '"' && value[i + 1] === '"') {
          item += '"';
          i += 2;
        } else if (value[i] === '"') {
          i += 1;
          break;
        } else item += value[i++];
      }
    }
    while (i < value.length && value[i] !== ',') item += value[i++];
    items.push(item.trim());
  }
  return items;
}

/** "name=value" from pg_db_role_setting -> "name to 'value'" (each list item its own literal, as pg_dump writes it). */
export function settingClause(entry: string): string {
  const at = entry.indexOf('=');
  const name = entry.slice(0, at);
  const value = entry.slice(at + 1);
  const values = LIST_SETTINGS.has(name.toLowerCase()) ? splitList(value) : [value];
  return `${quoteIdent(name)} to ${values.map(literal).join(', ') || "''"}`;
}

/** The settings and privileges of `like`, made again on the database `name` (run after CREATE DATABASE). */
export function copyPropertiesStatements(name: string, like: DatabaseProperties): string[] {
  const db = quoteIdent(name);
  const statements: string[] = [];
  for (const { role, config } of like.settings) {
    for (const entry of config) {
      statements.push(role === null ? `alter database ${db} set ${settingClause(entry)}` : `alter role ${quoteIdent(role)} in database ${db} set ${settingClause(entry)}`);
    }
  }
  if (like.acl !== null) {
    // Start from no privileges at all, then grant what the ACL lists (as the owner: a grant a
    // superuser makes is recorded as the owner's).
    statements.push(`revoke all on database ${db} from public`, `revoke all on database ${db} from ${quoteIdent(like.owner)}`);
    for (const g of like.grants) {
      const grantee = g.grantee === null ? 'public' : quoteIdent(g.grantee);
      statements.push(`grant ${g.privilege.toLowerCase()} on database ${db} to ${grantee}${g.grantable ? ' with grant option' : ''}`);
    }
  }
  return statements;
}
