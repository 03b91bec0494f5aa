import { withClient } from '../client.ts';
import type { Config } from '../config.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { compareVersions, listMigrations, type MigrationEntry } from './migration-directory.ts';

export type MigrationState = 'applied' | 'pending' | 'pending-out-of-order' | 'applied-file-missing';

export interface MigrationStatusRow {
  version: string;
  /** Absent when the file is missing. */
  fileName?: string;
  state: MigrationState;
}

export interface MigrationStatus {
  rows: MigrationStatusRow[];
  /** Newest applied version, or null when nothing is applied. */
  current: string | null;
  pending: MigrationEntry[];
}

/** Joins the files in db/migrations with the versions recorded in the database. */
export function combineStatus(files: MigrationEntry[], appliedVersions: string[]): MigrationStatus {
  const applied = new Set(appliedVersions);
  const sortedApplied = [...applied].sort(compareVersions);
  const current = sortedApplied.at(-1) ?? null;
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const rows: MigrationStatusRow[] = [];
  for (const file of files) {
    let state: MigrationState = 'applied';
    if (!applied.has(file.version)) {
      state = current !== null && compareVersions(file.version, current) < 0 ? 'pending-out-of-order' : 'pending';
    }
    rows.push({ version: file.version, fileName: file.fileName, state });
  }
  for (const version of sortedApplied) {
    if (!byVersion.has(version)) rows.push({ version, state: 'applied-file-missing' });
  }
  rows.sort((a, b) => compareVersions(a.version, b.version));
  const pending = files.filter((f) => !applied.has(f.version));
  return { rows, current, pending };
}

export async function migrationStatus(config: Config, url: string): Promise<MigrationStatus> {
  const files = listMigrations(config.migrationsDir);
  const applied = await withClient(url, (sql) => readAppliedVersions(sql, config.migrationsTable));
  return combineStatus(files, applied);
}
