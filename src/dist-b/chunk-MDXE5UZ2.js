import {
  DBMATE_TABLE,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/applied-versions.js
var TABLE = qualified(DBMATE_TABLE);
async function readAppliedVersions(sql) {
  const [found] = await sql`
    select to_regclass(${TABLE})::text as reg,
           exists (select from pg_attribute where attrelid = to_regclass(${TABLE}) and attname = 'dirty' and not attisdropped) as dirty`;
  if (!found.reg)
    return [];
  if (found.dirty) {
    throw new UsageError(`${TABLE} is golang-migrate's tracking table (it has a "dirty" column), not dbmate's; convert the history and record it for rb with rb import golang-migrate <migrations dir> (with the same --database-url or --prod), which moves that table aside`);
  }
  const rows = await sql.unsafe(`select version::text as version from ${TABLE}`);
  return rows.map((r) => r.version);
}
async function ensureDbmateTable(sql) {
  await sql.unsafe(`create table if not exists ${TABLE} (version varchar primary key)`);
}
async function insertAppliedVersions(sql, versions) {
  if (versions.length === 0)
    return;
  await sql.unsafe(`insert into ${TABLE} (version) select unnest($1::text[]) on conflict (version) do nothing`, [sql.array(versions)]);
}

export {
  readAppliedVersions,
  ensureDbmateTable,
  insertAppliedVersions
};
