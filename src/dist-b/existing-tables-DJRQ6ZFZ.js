import {
  isToolingTable
} from "./chunk-IUNTMCXC.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";

// dist/init/existing-tables.js
async function tablesBySchema(url) {
  const rows = await withClient(url, (sql) => sql`
    select n.nspname as schema, c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f')
      and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')`, { connectTimeout: 5 });
  const counts = /* @__PURE__ */ new Map();
  for (const row of rows) {
    if (isToolingTable(row.schema, row.name))
      continue;
    counts.set(row.schema, (counts.get(row.schema) ?? 0) + 1);
  }
  return counts;
}
function schemasOf(counts) {
  const names = [...counts.keys()].sort();
  return names.includes("public") ? ["public", ...names.filter((n) => n !== "public")] : names;
}
export {
  schemasOf,
  tablesBySchema
};
