import { existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { STATE_DIR_NAME } from './project.ts';

/**
 * Where the local PostgreSQL that rb manages can be reached: `.rb/local-server.json`, written by
 * the toolkit whenever a command made sure the server runs (and removed by `rb db stop`), read by
 * createClient() when no DATABASE_URL is set. It holds no secret: the password stays in its own
 * file (mode 0600), which the record names.
 */
export interface LocalServerRecord {
  format: 1;
  host: string;
  port: number;
  database: string;
  user: string;
  /** Absolute path of the superuser password file. */
  passwordFile: string;
  /** The postmaster's process id: createClient checks that it still runs. */
  pid: number;
  /** Absolute path of the data directory (rb db stop removes the record of its own server only). */
  dataDir: string;
}

export function localServerRecordFile(projectDir: string): string {
  return path.join(projectDir, STATE_DIR_NAME, 'local-server.json');
}

/** The URL of a database on the local server (the toolkit builds its URLs here too). */
export function localConnectionUrl(port: number, database: string, password: string | undefined, host = '127.0.0.1'): string {
  const credentials = password ? `postgres:${encodeURIComponent(password)}` : 'postgres';
  return `postgres://${credentials}@${host}:${port}/${encodeURIComponent(database)}?sslmode=disable`;
}

export function readLocalServerRecord(file: string): LocalServerRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as LocalServerRecord;
    return record.format === 1 && Number.isInteger(record.port) && Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined; // half-written or edited by hand: as if there were none
  }
}

/** Writes the record (atomically) unless it already says the same. */
export function writeLocalServerRecord(file: string, record: LocalServerRecord): void {
  const text = `${JSON.stringify(record, null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

/** Removes the record of the server whose data directory is dataDir (another server's stays). */
export function removeLocalServerRecord(file: string, dataDir: string): void {
  const record = readLocalServerRecord(file);
  if (!existsSync(file) || (record && record.dataDir !== dataDir)) return;
  rmSync(file, { force: true });
}

/** Whether the recorded postmaster still runs (EPERM: it runs as another user, as under root). */
export function recordedServerRuns(record: LocalServerRecord): boolean {
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
