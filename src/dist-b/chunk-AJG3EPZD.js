import {
  RUNNING_MARK,
  readRbRecords,
  reviewChecksums
} from "./chunk-HCAWX5Z5.js";
import {
  readAppliedVersions
} from "./chunk-MDXE5UZ2.js";
import {
  isToolingTable,
  otherToolTable
} from "./chunk-IUNTMCXC.js";
import {
  compareVersions,
  listMigrations
} from "./chunk-LC5NCFF3.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";

// dist/adopt/database-tables.js
async function readDatabaseTables(sql, schemas) {
  const rows = await sql`
    select n.nspname as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and not c.relispartition
       and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
       and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
     order by 1, 2`;
  const result = { appTables: [], otherTools: [], elsewhere: [] };
  for (const row of rows) {
    const tool = otherToolTable(row.schema, row.name);
    if (tool)
      result.otherTools.push({ ...row, tool });
    else if (isToolingTable(row.schema, row.name))
      continue;
    else if (schemas.includes(row.schema))
      result.appTables.push(row);
    else if (result.elsewhere.at(-1)?.schema === row.schema)
      result.elsewhere.at(-1).tables += 1;
    else
      result.elsewhere.push({ schema: row.schema, tables: 1 });
  }
  return result;
}

// dist/migrations/migration-status.js
function combineStatus(files, appliedVersions, records = /* @__PURE__ */ new Map()) {
  const applied = new Set(appliedVersions);
  const sortedApplied = [...applied].sort(compareVersions);
  const current = sortedApplied.at(-1) ?? null;
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const { edited, unrecorded } = reviewChecksums(files, applied, records);
  const editedVersions = new Set(edited.map((e) => e.version));
  const failed = [...records.values()].filter((r) => r.state === "failed" && !applied.has(r.version)).sort((a, b) => compareVersions(a.version, b.version));
  const failedVersions = new Set(failed.map((r) => r.version));
  const rows = [];
  for (const file of files) {
    let state = "applied";
    if (!applied.has(file.version)) {
      state = current !== null && compareVersions(file.version, current) < 0 ? "pending-out-of-order" : "pending";
    }
    const row = { version: file.version, fileName: file.fileName, state };
    if (editedVersions.has(file.version))
      row.edited = true;
    if (failedVersions.has(file.version)) {
      row.failed = true;
      if (records.get(file.version)?.error === RUNNING_MARK)
        row.running = true;
    }
    rows.push(row);
  }
  for (const version of sortedApplied) {
    if (!byVersion.has(version))
      rows.push({ version, state: "applied-file-missing" });
  }
  rows.sort((a, b) => compareVersions(a.version, b.version));
  const pending = files.filter((f) => !applied.has(f.version));
  return { rows, current, pending, applied, edited, unrecorded, failed };
}
async function migrationStatus(config, url) {
  const files = listMigrations(config.migrationsDir);
  const { applied, records, unadopted } = await withClient(url, async (sql) => {
    const [applied2, records2] = await Promise.all([readAppliedVersions(sql), readRbRecords(sql)]);
    return { applied: applied2, records: records2, unadopted: applied2.length === 0 ? await findUnadopted(sql, config.schemas) : void 0 };
  });
  const status = combineStatus(files, applied, records);
  if (unadopted)
    status.unadopted = unadopted;
  return status;
}
async function findUnadopted(sql, schemas) {
  const { appTables, otherTools, elsewhere } = await readDatabaseTables(sql, schemas);
  if (appTables.length === 0 && otherTools.length === 0 && elsewhere.length === 0)
    return void 0;
  return { schemas, tables: appTables.length, otherTools: otherTools.map((t) => ({ table: `${t.schema}.${t.name}`, tool: t.tool })), elsewhere };
}

export {
  readDatabaseTables,
  combineStatus,
  migrationStatus
};
