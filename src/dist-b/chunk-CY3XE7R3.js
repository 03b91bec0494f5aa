import {
  copyPropertiesStatements,
  createDatabaseStatement,
  readDatabaseProperties
} from "./chunk-XHXONIPQ.js";
import {
  firstError,
  libpqTarget,
  ownerState,
  patternFor,
  readSequenceOwners,
  runPgTool,
  runTag,
  tableKey,
  thisRun,
  withScratchDir,
  writeRestoreList
} from "./chunk-74N242QX.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import {
  asConnectionError,
  connect
} from "./chunk-EKB3CR5R.js";
import {
  withDatabase
} from "./chunk-ZES4J75L.js";
import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/restore/load-data.js
import path from "node:path";
var qualifiedName = (t) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
async function missing(sql, relations) {
  if (relations.length === 0)
    return [];
  return sql`
    select t.schema, t.name from unnest(${relations.map((t) => t.schema)}::text[], ${relations.map((t) => t.name)}::text[]) as t(schema, name)
    where not exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = t.schema and c.relname = t.name)`;
}
async function assertSchemaHoldsDump(sql, plan) {
  const sequences = plan.load.filter((e) => e.kind === "SEQUENCE SET").map((e) => ({ schema: e.schema, name: e.name }));
  const [tables, empty, sequenceValues] = await Promise.all([missing(sql, plan.loadTables), missing(sql, plan.excludedTables), missing(sql, sequences)]);
  if (tables.length + empty.length + sequenceValues.length === 0)
    return;
  const owners = sequenceValues.length ? await readSequenceOwners(plan.toc) : /* @__PURE__ */ new Map();
  const missingTables = new Set([...tables, ...empty].map((t) => `${t.schema}.${t.name}`));
  const values = sequenceValues.filter((s) => !missingTables.has(owners.get(`${s.schema}.${s.name}`) ?? ""));
  const names = (refs) => refs.map((t) => `${t.schema}.${t.name}`).join(", ");
  const what = [
    tables.length ? `data for ${names(tables)}` : "",
    empty.length ? `${names(empty)} (kept empty by --exclude-table-data, which needs the table)` : "",
    values.length ? `the value of sequence ${names(values)}` : ""
  ].filter(Boolean);
  const flags = [...tables, ...empty, ...values].map((t) => `--exclude-table ${patternFor(t.schema, t.name)}`).join(" ");
  throw new RbError(`the dump has ${what.join(", ")}, which the migrations up to ${plan.productionVersion} do not create (made outside the migrations, by another tool?); leave it out with ${flags}, or add a migration that creates it`);
}
async function countRows(sql, tables) {
  const counts = /* @__PURE__ */ new Map();
  for (const t of tables) {
    const [row] = await sql.unsafe(`select count(*)::text as n from only ${qualifiedName(t)}`);
    counts.set(`${t.schema}.${t.name}`, Number(row.n));
  }
  return counts;
}
function throttled(report) {
  let last = 0;
  return (line, final = false) => {
    const now = Date.now();
    if (!report || !final && now - last < 1e3)
      return;
    last = now;
    report(line);
  };
}
async function loadData(plan, url, jobs, onTableLoaded, onProgress) {
  const libpq = libpqTarget(url);
  const total = plan.loadTables.length;
  const byId = new Map(plan.load.map((e) => [e.dumpId, tableKey(e)]));
  let loaded = 0;
  let previous;
  let carry = "";
  const progress = throttled(onProgress);
  const tableDone = (key) => {
    loaded += 1;
    onTableLoaded(key);
    progress(`load: ${loaded}/${total} tables`, loaded === total);
  };
  await withScratchDir(async (dir) => {
    const list = path.join(dir, "load.list");
    writeRestoreList(list, plan.load);
    const args = ["--data-only", "--disable-triggers", "--exit-on-error", "--verbose", "--use-list", list, "--dbname", libpq.url];
    if (jobs > 1)
      args.push("--jobs", String(jobs));
    const result = await runPgTool("pg_restore", [...args, plan.toc.file], {
      env: libpq.env,
      onStderr: (chunk) => {
        const lines = (carry + chunk).split("\n");
        carry = lines.pop() ?? "";
        for (const line of lines) {
          if (jobs > 1) {
            const finished = /^pg_restore: finished item (\d+) TABLE DATA /.exec(line);
            if (finished)
              tableDone(byId.get(Number(finished[1])) ?? "");
          } else {
            const started = /^pg_restore: processing data for table "(.*)"$/.exec(line);
            if (!started)
              continue;
            if (previous)
              tableDone(previous);
            previous = started[1];
          }
        }
      }
    });
    if (!result.ok)
      throw new RbError(`pg_restore failed: ${firstError(result.stderr)}`);
    if (previous)
      tableDone(previous);
  });
}

// dist/restore/work-database.js
import os from "node:os";
var MAX_NAME_BYTES = 63;
var WORK_NAME = /^(.*)_rb_(restore|replaced|analyze)_([0-9a-f]{6})_(\d+)$/s;
function workDatabaseName(local, kind, owner = thisRun) {
  const suffix = `_rb_${kind}_${runTag(owner)}`;
  let prefix = local;
  while (Buffer.byteLength(prefix + suffix) > MAX_NAME_BYTES)
    prefix = [...prefix].slice(0, -1).join("");
  return prefix + suffix;
}
function parseWorkDatabaseName(name) {
  const match = WORK_NAME.exec(name);
  if (!match)
    return void 0;
  return { kind: match[2], owner: { hostTag: match[3], pid: Number(match[4]) } };
}
async function connectMaintenance(url, localName) {
  let lastError;
  for (const database of ["postgres", "template1"].filter((d) => d !== localName)) {
    const sql = connect(withDatabase(url, database), { max: 1 });
    try {
      await sql`select 1`;
      return sql;
    } catch (error) {
      await sql.end({ timeout: 1 });
      lastError = error;
      if (error.code !== "3D000")
        break;
    }
  }
  throw asConnectionError(lastError, url);
}
async function dropLeftoverDatabases(admin) {
  const rows = await admin`
    select datname as name, shobj_description(oid, 'pg_database') as note from pg_database
    where datname ~ '_rb_(restore|replaced|analyze)_[0-9a-f]{6}_[0-9]+$' order by datname`;
  const report = { dropped: [], otherHost: [] };
  for (const row of rows) {
    const parsed = parseWorkDatabaseName(row.name);
    if (!parsed)
      continue;
    const leftover = { name: row.name, kind: parsed.kind, owner: parsed.owner, note: row.note };
    const state = ownerState(parsed.owner);
    if (state === "other-host")
      report.otherHost.push(leftover);
    if (state !== "gone")
      continue;
    await admin.unsafe(`drop database if exists ${quoteIdent(row.name)} with (force)`);
    report.dropped.push(leftover);
  }
  return report;
}
async function createWorkDatabase(admin, localUrl, localName, name) {
  const local = await readDatabaseProperties(admin, localName);
  const template1 = await readDatabaseProperties(admin, "template1");
  await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  const [busy] = await admin`
    select exists(select 1 from pg_stat_activity where datname = 'template1' and pid <> pg_backend_pid()) as busy`;
  try {
    await admin.unsafe(createDatabaseStatement(name, local, template1, busy.busy));
  } catch (error) {
    if (error.code !== "55006")
      throw error;
    await admin.unsafe(createDatabaseStatement(name, local, template1, true));
  }
  const note = `rb restore work database of pid ${thisRun.pid} on host ${os.hostname()}, started ${(/* @__PURE__ */ new Date()).toISOString()}; it replaces ${localName} when complete, and a later rb restore drops it if this run died`;
  await admin.unsafe(`comment on database ${quoteIdent(name)} is '${note.replace(/'/g, "''")}'`);
  if (local)
    for (const statement of copyPropertiesStatements(name, local))
      await admin.unsafe(statement);
  return { name, url: withDatabase(localUrl, name), local };
}
async function dropDatabase(admin, name) {
  await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
}

export {
  qualifiedName,
  assertSchemaHoldsDump,
  countRows,
  throttled,
  loadData,
  workDatabaseName,
  connectMaintenance,
  dropLeftoverDatabases,
  createWorkDatabase,
  dropDatabase
};
