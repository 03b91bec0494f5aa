import { existsSync, statSync } from 'node:fs';
import { relativeToProject, type Config } from '../config.ts';
import { RefusedError, UsageError } from '../errors.ts';
import { compareVersions, listMigrations, readMigrations } from '../migrations/migration-directory.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';
import { describeUrl } from '../target/database-url.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { readArchiveToc, tableKey, type ArchiveToc, type TocEntry } from './archive-toc.ts';
import { readDumpVersions, readSequenceOwners } from './dump-contents.ts';
import { isLargeObjectData, isLargeObjectEntry, isLargeObjectGrant } from './large-objects.ts';
import { DBMATE_TABLE, isToolingTable, otherToolTable, qualified } from '../rb-tables.ts';
import type { TableRef } from './sequences.ts';
import { tablePattern } from './table-pattern.ts';

export interface RestoreOptions {
  /** pg_dump-style table patterns whose rows are not loaded (the tables stay, empty). */
  excludeTableData?: string[];
  /** pg_dump-style patterns of tables (and sequences) left out entirely: the migrations need not create them. */
  excludeTable?: string[];
  /** Parallel jobs for the data load and the index builds (default 1). */
  jobs?: number;
  /** Apply local migrations newer than production's after the data (default true). */
  pending?: boolean;
  /** Progress for long phases, one line at a time (the CLI prints it on stderr). */
  onProgress?: (line: string) => void;
  /** Aborted on Ctrl-C / SIGTERM: the restore stops, drops its work database and leaves the local one as it was. */
  signal?: AbortSignal;
}

/** What a restore will do, worked out from the dump and db/migrations before anything changes. */
export interface RestorePlan {
  toc: ArchiveToc;
  productionVersions: string[];
  productionVersion: string;
  rebuild: MigrationFile[];
  pending: MigrationFile[];
  /** The entries pg_restore loads (table data, sequence values, large objects). */
  load: TocEntry[];
  /** The dump holds large objects (src/restore/large-objects.ts): they are loaded and counted too. */
  largeObjects: boolean;
  /** Production's grant entries on large objects, which the restore leaves out (as it does tables' grants). */
  largeObjectGrants: number;
  loadTables: TableRef[];
  /** --exclude-table-data: the tables stay, empty. */
  excludedTables: TableRef[];
  /** --exclude-table: left out entirely (tables and sequences). */
  omitted: TableRef[];
  /** Other migration tools' tracking tables (src/rb-tables.ts): left out entirely, as with --exclude-table. */
  otherToolTables: (TableRef & { tool: string })[];
}

// Data entries a restore loads; the schema itself comes from the migrations.
const LOAD_KINDS = new Set(['TABLE DATA', 'SEQUENCE SET', 'MATERIALIZED VIEW DATA']);
const RELATION_KINDS = new Set(['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE', 'FOREIGN TABLE']);

/** The "schema.name" keys the patterns match; a pattern that matches nothing is a typo, refused. */
function matchPatterns(flag: string, patterns: string[], candidates: TocEntry[], file: string): Set<string> {
  const keys = new Set<string>();
  for (const pattern of patterns) {
    const matches = tablePattern(pattern, flag);
    const hits = candidates.filter((t) => matches(t.schema, t.name));
    if (hits.length === 0) {
      const tables = candidates.filter((t) => t.kind === 'TABLE').map(tableKey);
      throw new UsageError(`${flag} "${pattern}" matches no table in ${file}; tables: ${tables.join(', ') || 'none'}`);
    }
    for (const hit of hits) keys.add(tableKey(hit));
  }
  return keys;
}

/**
 * The restore target is always local: refuse production's database however it was reached
 * (--prod, or a DATABASE_URL / --database-url naming the same database as PROD_DATABASE_URL,
 * decided by what both servers say about themselves), and refuse a URL target rb cannot tell
 * apart from production because production does not answer. The embedded server is rb's own.
 */
export async function assertLocalTarget(target: Target): Promise<void> {
  if (target.kind === 'prod') {
    throw new RefusedError('rb restores into the local database only; run it without --prod (the dump is read from PROD_DATABASE_URL or the file you name)');
  }
  await identifyTarget(target);
  const where = `the restore target ${describeUrl(target.url)} (from ${target.source})`;
  if (target.isProduction) {
    throw new RefusedError(
      `${where} is production's database (PROD_DATABASE_URL); rb restores into a local database only: point ${target.source} at a local database, or unset it to use the embedded server; ${target.source}: ${target.identity?.reason ?? 'production'}`,
    );
  }
  if (target.identity?.basis === 'address') {
    throw new RefusedError(
      `cannot tell whether ${where} is production's database: PROD_DATABASE_URL did not answer (${target.identity.unreachable}); rb restores only into a database it can tell apart from production: make PROD_DATABASE_URL reachable, leave it empty for this command (PROD_DATABASE_URL= rb ...), or unset ${target.source} to restore into the embedded server`,
    );
  }
}

/**
 * Refuses when production applied migrations this checkout does not have: the rebuilt schema
 * would not match the data. Returns the local entries in production's set.
 */
export function checkProductionVersions(config: Config, productionVersions: string[]) {
  const local = listMigrations(config.migrationsDir);
  const localVersions = new Set(local.map((m) => m.version));
  const unknown = productionVersions.filter((v) => !localVersions.has(v)).sort(compareVersions);
  if (unknown.length) {
    const relative = relativeToProject(config, config.migrationsDir);
    throw new RefusedError(
      `production has applied ${unknown.length} migration(s) that ${relative} does not have: ${unknown.join(', ')}; ` +
        'update your checkout (git pull) so it has them, then run the restore again; the local database was not touched',
    );
  }
  const prodSet = new Set(productionVersions);
  return { rebuild: local.filter((m) => prodSet.has(m.version)), pending: local.filter((m) => !prodSet.has(m.version)) };
}

/** Reads the dump and db/migrations; throws before anything is touched when the restore cannot work. */
export async function planRestore(config: Config, file: string, options: RestoreOptions): Promise<RestorePlan> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such dump file; give the path of a pg_dump --format=custom archive`);
  const toc = await readArchiveToc(file);
  const productionVersions = await readDumpVersions(toc);
  if (!productionVersions || productionVersions.length === 0) {
    throw new RefusedError(
      `${file} holds no rows of the migration tracking table (${qualified(DBMATE_TABLE)}), so production's migration version is unknown; dump a database migrated with rb/dbmate`,
    );
  }
  const productionVersion = [...productionVersions].sort(compareVersions).at(-1)!;
  const { rebuild, pending } = checkProductionVersions(config, productionVersions);
  // Validate every file the restore will run now: a bad file must not leave a half-built database.
  const rebuildFiles = readMigrations(config.migrationsDir, rebuild, config.projectDir);
  const pendingFiles = options.pending === false ? [] : readMigrations(config.migrationsDir, pending, config.projectDir);

  const tables = toc.entries.filter((e) => e.kind === 'TABLE');
  const excluded = matchPatterns('--exclude-table-data', options.excludeTableData ?? [], tables, file);
  // pg_dump's --exclude-table matches tables, views, materialized views and sequences alike.
  const relations = toc.entries.filter((e) => RELATION_KINDS.has(e.kind));
  const omitted = matchPatterns('--exclude-table', options.excludeTable ?? [], relations, file);
  // Another tool's tracking table (node-pg-migrate's pgmigrations, Flyway's flyway_schema_history...)
  // is that tool's history, not data, and the migrations do not create it: left out with its sequence.
  const otherToolTables = relations
    .filter((e) => e.kind === 'TABLE' && !omitted.has(tableKey(e)) && otherToolTable(e.schema, e.name))
    .map((e) => ({ schema: e.schema, name: e.name, tool: otherToolTable(e.schema, e.name)!.tool }));
  for (const t of otherToolTables) omitted.add(tableKey(t));
  for (const key of omitted) excluded.delete(key);
  // A sequence follows the table that owns it: excluding the table's data (or the table) skips its value.
  const owners = excluded.size || omitted.size ? await readSequenceOwners(toc) : new Map<string, string>();
  // dbmate's and rb's tables describe production's history, not data: the rebuild writes them locally.
  const skipped = (e: TocEntry) => {
    const key = tableKey(e);
    if (isToolingTable(e.schema, e.name) || omitted.has(key) || (e.kind === 'TABLE DATA' && excluded.has(key))) return true;
    if (e.kind !== 'SEQUENCE SET') return false;
    const owner = owners.get(key);
    return owner !== undefined && (excluded.has(owner) || omitted.has(owner));
  };
  // Large objects belong to no table: --exclude-table(-data) keeps them, as pg_dump's does.
  const load = toc.entries.filter((e) => (LOAD_KINDS.has(e.kind) && !skipped(e)) || isLargeObjectEntry(e));
  const largeObjects = load.some(isLargeObjectData);
  const largeObjectGrants = toc.entries.filter(isLargeObjectGrant).length;
  const loadTables = load.filter((e) => e.kind === 'TABLE DATA').map((e) => ({ schema: e.schema, name: e.name }));
  const excludedTables = tables.filter((t) => excluded.has(tableKey(t))).map((t) => ({ schema: t.schema, name: t.name }));
  const byOtherTool = new Set(otherToolTables.map(tableKey));
  const omittedRefs = relations.filter((t) => omitted.has(tableKey(t)) && !byOtherTool.has(tableKey(t))).map((t) => ({ schema: t.schema, name: t.name }));
  return { toc, productionVersions, productionVersion, rebuild: rebuildFiles, pending: pendingFiles, load, largeObjects, largeObjectGrants, loadTables, excludedTables, omitted: omittedRefs, otherToolTables };
}
