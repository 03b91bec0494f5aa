import { withClient } from '../client.ts';
import type { Config } from '../config.ts';
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
  const [applied, records] = await withClient(url, (sql) => Promise.all([readAppliedVersions(sql), readRbRecords(sql)]));
  return combineStatus(files, applied, records);
}
