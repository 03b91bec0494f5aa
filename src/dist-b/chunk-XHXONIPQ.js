import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";

// dist/restore/database-properties.js
async function readDatabaseProperties(sql, name) {
  const [db] = await sql`
    select d.oid::int as oid, pg_get_userbyid(d.datdba) as owner, pg_encoding_to_char(d.encoding) as encoding, t.spcname as tablespace,
           d.datacl::text as acl, shobj_description(d.oid, 'pg_database') as comment, to_jsonb(d) - 'datacl' as row
    from pg_database d join pg_tablespace t on t.oid = d.dattablespace where d.datname = ${name}`;
  if (!db)
    return void 0;
  const settings = await sql`
    select case when s.setrole = 0 then null else pg_get_userbyid(s.setrole) end as role, s.setconfig as config
    from pg_db_role_setting s where s.setdatabase = ${db.oid} order by 1 nulls first`;
  const grants = db.acl === null ? [] : await sql`
    select case when a.grantee = 0 then null else pg_get_userbyid(a.grantee) end as grantee, a.privilege_type as privilege, a.is_grantable as grantable
    from pg_database d, aclexplode(d.datacl) a where d.oid = ${db.oid} order by 1 nulls first, 2`;
  const row = db.row;
  const text = (key) => typeof row[key] === "string" ? row[key] : null;
  return {
    name,
    oid: db.oid,
    owner: db.owner,
    encoding: db.encoding,
    locale: {
      collate: text("datcollate") ?? "",
      ctype: text("datctype") ?? "",
      provider: text("datlocprovider") ?? "c",
      locale: text("datlocale") ?? text("daticulocale")
    },
    tablespace: db.tablespace,
    connectionLimit: Number(row.datconnlimit ?? -1),
    acl: db.acl,
    grants: grants.map((g) => ({ grantee: g.grantee, privilege: g.privilege, grantable: g.grantable })),
    comment: db.comment,
    settings: settings.map((s) => ({ role: s.role, config: s.config }))
  };
}
function literal(text) {
  return `'${text.replace(/'/g, "''")}'`;
}
var sameLocale = (a, b) => a.encoding === b.encoding && JSON.stringify(a.locale) === JSON.stringify(b.locale);
function createDatabaseStatement(name, like, template1, template0 = false) {
  const parts = [`create database ${quoteIdent(name)}`];
  if (like)
    parts.push(`owner ${quoteIdent(like.owner)}`);
  const locale = like ?? template1;
  if (!template0 && sameLocale(locale, template1))
    parts.push("template template1");
  else {
    parts.push(`template template0 encoding ${literal(locale.encoding)} lc_collate ${literal(locale.locale.collate)} lc_ctype ${literal(locale.locale.ctype)}`);
    const provider = { c: "libc", i: "icu", b: "builtin" }[locale.locale.provider] ?? "libc";
    if (provider !== "libc")
      parts.push(`locale_provider ${provider}`);
    if (provider === "icu" && locale.locale.locale)
      parts.push(`icu_locale ${literal(locale.locale.locale)}`);
    if (provider === "builtin" && locale.locale.locale)
      parts.push(`builtin_locale ${literal(locale.locale.locale)}`);
  }
  if (like && like.tablespace !== template1.tablespace)
    parts.push(`tablespace ${quoteIdent(like.tablespace)}`);
  if (like && like.connectionLimit !== -1)
    parts.push(`connection limit ${like.connectionLimit}`);
  return parts.join(" ");
}
var LIST_SETTINGS = /* @__PURE__ */ new Set(["local_preload_libraries", "search_path", "session_preload_libraries", "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories"]);
function splitList(value) {
  const items = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === " " || value[i] === ",")
      i += 1;
    if (i >= value.length)
      break;
    let item = "";
    if (value[i] === '"') {
      i += 1;
      while (i < value.length) {
        if (value[i] === '"' && value[i + 1] === '"') {
          item += '"';
          i += 2;
        } else if (value[i] === '"') {
          i += 1;
          break;
        } else
          item += value[i++];
      }
    }
    while (i < value.length && value[i] !== ",")
      item += value[i++];
    items.push(item.trim());
  }
  return items;
}
function settingClause(entry) {
  const at = entry.indexOf("=");
  const name = entry.slice(0, at);
  const value = entry.slice(at + 1);
  const values = LIST_SETTINGS.has(name.toLowerCase()) ? splitList(value) : [value];
  return `${quoteIdent(name)} to ${values.map(literal).join(", ") || "''"}`;
}
function copyPropertiesStatements(name, like) {
  const db = quoteIdent(name);
  const statements = [];
  for (const { role, config } of like.settings) {
    for (const entry of config) {
      statements.push(role === null ? `alter database ${db} set ${settingClause(entry)}` : `alter role ${quoteIdent(role)} in database ${db} set ${settingClause(entry)}`);
    }
  }
  if (like.acl !== null) {
    statements.push(`revoke all on database ${db} from public`, `revoke all on database ${db} from ${quoteIdent(like.owner)}`);
    for (const g of like.grants) {
      const grantee = g.grantee === null ? "public" : quoteIdent(g.grantee);
      statements.push(`grant ${g.privilege.toLowerCase()} on database ${db} to ${grantee}${g.grantable ? " with grant option" : ""}`);
    }
  }
  return statements;
}

export {
  readDatabaseProperties,
  createDatabaseStatement,
  settingClause,
  copyPropertiesStatements
};
