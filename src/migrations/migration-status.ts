import { readDatabaseTables } from '../adopt/database-tables.ts';
import { withClient, type Queryable } from '../client.ts';
import type { Config } from '../config.ts';
import type { OtherToolTable } from '../rb-tables.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { reviewChecksums } from './checksums.ts';
import { compareVersions, listMigrations, type MigrationEntry } from './migration-directory.ts';
import { readRbRecords, RUNNING_MARK, type RbMigrationRecord } from './rb-migrations-table.ts';

export type MigrationState = 'applied' | 'pending' | 'pending-out-of-order' | 'applied-file-missing';

export interface MigrationStatusRow {
  version: string;
  /** Absent when the file is missing. */
  fileName?: string;
  state: MigrationState;
  /** Applied, but the file changed since (its checksum differs from the one rb recorded). */
  edited?: boolean;
  /** A transaction:false migration that failed part-way; rb upgrade refuses until it is resolved. */
  failed?: boolean;
  /** Its failure is rb's mark from before it ran: it runs now, or rb was killed while it ran. */
  running?: boolean;
}

export interface MigrationStatus {
  rows: MigrationStatusRow[];
  /** Newest applied version, or null when nothing is applied. */
  current: string | null;
  pending: MigrationEntry[];
  /** Versions recorded in dbmate's table. */
  applied: Set<string>;
  /** Applied files edited since they were applied. */
  edited: MigrationEntry[];
  /** Applied files with no checksum recorded yet (adopted on the next upgrade). */
  unrecorded: MigrationEntry[];
  /** Failed transaction:false migrations not applied since. */
  failed: RbMigrationRecord[];
  /**
   * Set when no migration is recorded although the database holds tables in the configured
   * schemas, or another tool's tracking table: it was built without rb (rb baseline, rb import).
   */
  unadopted?: Unadopted;
}

export interface Unadopted {
  /** The configured schemas and how many application tables they hold. */
  schemas: string[];
  tables: number;
  /** Other migration tools' tracking tables ("public.flyway_schema_history"). */
  otherTools: { table: string; tool: OtherToolTable }[];
  /** Other schemas holding tables ("public" -> 12): rb.schemas may need them. */
  elsewhere: { schema: string; tables: number }[];
}

/** Joins the files in db/migrations with the versions (and rb's checksums) recorded in the database. */
export function combineStatus(
  files: MigrationEntry[],
  appliedVersions: string[],
  records: Map<string, RbMigrationRecord> = new Map(),
): MigrationStatus {
  const applied = new Set(appliedVersions);
  const sortedApplied = [...applied].sort(compareVersions);
  const current = sortedApplied.at(-1) ?? null;
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const { edited, unrecorded } = reviewChecksums(files, applied, records);
  const editedVersions = new Set(edited.map((e) => e.version));
  const failed = [...records.values()].filter((r) => r.state === 'failed' && !applied.has(r.version)).sort((a, b) => compareVersions(a.version, b.version));
  const failedVersions = new Set(failed.map((r) => r.version));
  const rows: MigrationStatusRow[] = [];
  for (const file of files) {
    let state: MigrationState = 'applied';
    if (!applied.has(file.version)) {
      state = current !== null && compareVersions(file.version, current) < 0 ? 'pending-out-of-order' : 'pending';
    }
    const row: MigrationStatusRow = { version: file.version, fileName: file.fileName, state };
    if (editedVersions.has(file.version)) row.edited = true;
    if (failedVersions.has(file.version)) {
      row.failed = true;
      if (records.get(file.version)?.error === RUNNING_MARK) row.running = true;
    }
    rows.push(row);
  }
  for (const version of sortedApplied) {
    if (!byVersion.has(version)) rows.push({ version, state: 'applied-file-missing' });
  }
  rows.sort((a, b) => compareVersions(a.version, b.version));
  const pending = files.filter((f) => !applied.has(f.version));
  return { rows, current, pending, applied, edited, unrecorded, failed };
}

export async function migrationStatus(config: Config, url: string): Promise<MigrationStatus> {
  const files = listMigrations(config.migrationsDir);
  // Both reads go out together (postgres.js pipelines them on the one connection).
  const { applied, records, unadopted } = await withClient(url, async (sql) => {
    const [applied, records] = await Promise.all([readAppliedVersions(sql), readRbRecords(sql)]);
    // Only a database with nothing recorded costs this query.
    return { applied, records, unadopted: applied.length === 0 ? await findUnadopted(sql, config.schemas) : undefined };
  });
  const status = combineStatus(files, applied, records);
  if (unadopted) status.unadopted = unadopted;
  return status;
}

async function findUnadopted(sql: Queryable, schemas: string[]): Promise<Unadopted | undefined> {
  const { appTables, otherTools, elsewhere } = await readDatabaseTables(sql, schemas);
  if (appTables.length === 0 && otherTools.length === 0 && elsewhere.length === 0) return undefined;
  return { schemas, tables: appTables.length, otherTools: otherTools.map((t) => ({ table: `${t.schema}.${t.name}`, tool: t.tool })), elsewhere };
}
