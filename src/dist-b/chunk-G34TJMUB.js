import {
  firstError,
  libpqTarget,
  majorOf,
  ownerState,
  readArchiveToc,
  readDumpVersions,
  readSequenceOwners,
  runPgTool,
  runTag,
  tableKey,
  tablePattern,
  toolVersion
} from "./chunk-74N242QX.js";
import {
  readAppliedVersions
} from "./chunk-MDXE5UZ2.js";
import {
  identifyTarget
} from "./chunk-LWDHCSGX.js";
import {
  DBMATE_TABLE,
  isToolingTable,
  otherToolTable,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  compareVersions,
  listMigrations,
  readMigrations
} from "./chunk-LC5NCFF3.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  describeUrl
} from "./chunk-ZES4J75L.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  RbError,
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/restore/restore-plan.js
import { existsSync, statSync } from "node:fs";
var LOAD_KINDS = /* @__PURE__ */ new Set(["TABLE DATA", "SEQUENCE SET", "MATERIALIZED VIEW DATA"]);
var RELATION_KINDS = /* @__PURE__ */ new Set(["TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "FOREIGN TABLE"]);
function matchPatterns(flag, patterns, candidates, file) {
  const keys = /* @__PURE__ */ new Set();
  for (const pattern of patterns) {
    const matches = tablePattern(pattern, flag);
    const hits = candidates.filter((t) => matches(t.schema, t.name));
    if (hits.length === 0) {
      const tables = candidates.filter((t) => t.kind === "TABLE").map(tableKey);
      throw new UsageError(`${flag} "${pattern}" matches no table in ${file}; tables: ${tables.join(", ") || "none"}`);
    }
    for (const hit of hits)
      keys.add(tableKey(hit));
  }
  return keys;
}
async function assertLocalTarget(target) {
  if (target.kind === "prod") {
    throw new RefusedError("rb restores into the local database only; run it without --prod (the dump is read from PROD_DATABASE_URL or the file you name)");
  }
  await identifyTarget(target);
  const where = `the restore target ${describeUrl(target.url)} (from ${target.source})`;
  if (target.isProduction) {
    throw new RefusedError(`${where} is production's database (PROD_DATABASE_URL); rb restores into a local database only: point ${target.source} at a local database, or unset it to use the embedded server; ${target.source}: ${target.identity?.reason ?? "production"}`);
  }
  if (target.identity?.basis === "address") {
    throw new RefusedError(`cannot tell whether ${where} is production's database: PROD_DATABASE_URL did not answer (${target.identity.unreachable}); rb restores only into a database it can tell apart from production: make PROD_DATABASE_URL reachable, leave it empty for this command (PROD_DATABASE_URL= rb ...), or unset ${target.source} to restore into the embedded server`);
  }
}
function checkProductionVersions(config, productionVersions) {
  const local = listMigrations(config.migrationsDir);
  const localVersions = new Set(local.map((m) => m.version));
  const unknown = productionVersions.filter((v) => !localVersions.has(v)).sort(compareVersions);
  if (unknown.length) {
    const relative = relativeToProject(config, config.migrationsDir);
    throw new RefusedError(`production has applied ${unknown.length} migration(s) that ${relative} does not have: ${unknown.join(", ")}; update your checkout (git pull) so it has them, then run the restore again; the local database was not touched`);
  }
  const prodSet = new Set(productionVersions);
  return { rebuild: local.filter((m) => prodSet.has(m.version)), pending: local.filter((m) => !prodSet.has(m.version)) };
}
async function planRestore(config, file, options) {
  if (!existsSync(file) || !statSync(file).isFile())
    throw new UsageError(`${file}: no such dump file; give the path of a pg_dump --format=custom archive`);
  const toc = await readArchiveToc(file);
  const productionVersions = await readDumpVersions(toc);
  if (!productionVersions || productionVersions.length === 0) {
    throw new RefusedError(`${file} holds no rows of the migration tracking table (${qualified(DBMATE_TABLE)}), so production's migration version is unknown; dump a database migrated with rb/dbmate`);
  }
  const productionVersion = [...productionVersions].sort(compareVersions).at(-1);
  const { rebuild, pending } = checkProductionVersions(config, productionVersions);
  const rebuildFiles = readMigrations(config.migrationsDir, rebuild);
  const pendingFiles = options.pending === false ? [] : readMigrations(config.migrationsDir, pending);
  const tables = toc.entries.filter((e) => e.kind === "TABLE");
  const excluded = matchPatterns("--exclude-table-data", options.excludeTableData ?? [], tables, file);
  const relations = toc.entries.filter((e) => RELATION_KINDS.has(e.kind));
  const omitted = matchPatterns("--exclude-table", options.excludeTable ?? [], relations, file);
  const otherToolTables = relations.filter((e) => e.kind === "TABLE" && !omitted.has(tableKey(e)) && otherToolTable(e.schema, e.name)).map((e) => ({ schema: e.schema, name: e.name, tool: otherToolTable(e.schema, e.name).tool }));
  for (const t of otherToolTables)
    omitted.add(tableKey(t));
  for (const key of omitted)
    excluded.delete(key);
  const owners = excluded.size || omitted.size ? await readSequenceOwners(toc) : /* @__PURE__ */ new Map();
  const skipped = (e) => {
    const key = tableKey(e);
    if (isToolingTable(e.schema, e.name) || omitted.has(key) || e.kind === "TABLE DATA" && excluded.has(key))
      return true;
    if (e.kind !== "SEQUENCE SET")
      return false;
    const owner = owners.get(key);
    return owner !== void 0 && (excluded.has(owner) || omitted.has(owner));
  };
  const load = toc.entries.filter((e) => LOAD_KINDS.has(e.kind) && !skipped(e));
  const loadTables = load.filter((e) => e.kind === "TABLE DATA").map((e) => ({ schema: e.schema, name: e.name }));
  const excludedTables = tables.filter((t) => excluded.has(tableKey(t))).map((t) => ({ schema: t.schema, name: t.name }));
  const byOtherTool = new Set(otherToolTables.map(tableKey));
  const omittedRefs = relations.filter((t) => omitted.has(tableKey(t)) && !byOtherTool.has(tableKey(t))).map((t) => ({ schema: t.schema, name: t.name }));
  return { toc, productionVersions, productionVersion, rebuild: rebuildFiles, pending: pendingFiles, load, loadTables, excludedTables, omitted: omittedRefs, otherToolTables };
}

// dist/restore/dump-production.js
import { chmodSync, closeSync, existsSync as existsSync2, mkdirSync, openSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
function dumpsDir(config) {
  return path.join(config.stateDir, "dumps");
}
var PARTIAL = /^production_[0-9TZ]+(?:\.([0-9a-f]{6})_(\d+))?\.dump\.partial$/;
function removeLeftoverDumps(config) {
  const dir = dumpsDir(config);
  if (!existsSync2(dir))
    return [];
  const removed = [];
  for (const name of readdirSync(dir)) {
    const match = PARTIAL.exec(name);
    if (!match)
      continue;
    if (match[1] && ownerState({ hostTag: match[1], pid: Number(match[2]) }) !== "gone")
      continue;
    rmSync(path.join(dir, name), { force: true });
    removed.push(path.join(path.relative(config.projectDir, dir), name));
  }
  return removed;
}
function stamp(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
async function checkDumpTool(serverVersion, what = "the production server", untouched = "the local database was not touched") {
  const dump = await toolVersion("pg_dump");
  const server = majorOf(serverVersion);
  if (dump.major < server) {
    throw new RefusedError(`pg_dump ${dump.version} is older than ${what} (PostgreSQL ${serverVersion}) and cannot dump it; install the PostgreSQL ${server} client tools (Debian: apt-get install postgresql-client-${server} from apt.postgresql.org) and put them first in PATH; ${untouched}`);
  }
}
async function dumpProduction(config, options = {}) {
  const url = config.prodDatabaseUrl;
  if (!url)
    throw new UsageError("rb dump-and-restore needs PROD_DATABASE_URL: set it in the environment or in .env (postgres://user:password@host:5432/database)");
  const started = performance.now();
  const { serverVersion, versions } = await withClient(url, async (sql) => {
    const [row] = await sql`select current_setting('server_version') as v`;
    return { serverVersion: row.v, versions: await readAppliedVersions(sql) };
  });
  await checkDumpTool(serverVersion);
  checkProductionVersions(config, versions);
  const dir = dumpsDir(config);
  mkdirSync(dir, { recursive: true, mode: 448 });
  const now = stamp(options.now ?? /* @__PURE__ */ new Date());
  const partial = path.join(dir, `production_${now}.${runTag()}.dump.partial`);
  closeSync(openSync(partial, "w", 384));
  chmodSync(partial, 384);
  options.onProgress?.(`dump: pg_dump of PRODUCTION ${describeUrl(url)} (read only) to ${path.relative(config.projectDir, partial)}`);
  const libpq = libpqTarget(url);
  const args = ["--format=custom", "--file", partial, "--dbname", libpq.url];
  for (const pattern of [...options.excludeTableData ?? [], ...options.excludeTable ?? []])
    args.push("--exclude-table-data", pattern);
  try {
    const result = await runPgTool("pg_dump", args, { env: libpq.env });
    if (!result.ok)
      throw new RbError(`pg_dump of production failed: ${firstError(result.stderr)}`);
    const toc = await readArchiveToc(partial);
    const dumped = await readDumpVersions(toc);
    if (!dumped?.length)
      throw new RefusedError(`production (${describeUrl(url)}) has no rows in ${qualified(DBMATE_TABLE)}; it was not migrated with rb/dbmate`);
    const productionVersion = [...dumped].sort(compareVersions).at(-1);
    const file = path.join(dir, `production_${productionVersion}_${now}.dump`);
    renameSync(partial, file);
    return { file, productionVersion, seconds: (performance.now() - started) / 1e3 };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

export {
  assertLocalTarget,
  checkProductionVersions,
  planRestore,
  removeLeftoverDumps,
  checkDumpTool,
  dumpProduction
};
