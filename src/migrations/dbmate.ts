import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveBinary } from 'dbmate';
import { RbError } from '../errors.ts';
import { runProcess, type ProcessResult } from '../process.ts';
import { maskUrl } from '../target/database-url.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';
import { makeTempDir } from '../temp-dirs.ts';
import { rbSessionName } from '../session-names.ts';
import { stripBom } from './migration-file.ts';

export interface DbmateOptions {
  url: string;
  migrationsDir: string;
  schemaFile?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * dbmate's driver (lib/pq) defaults to sslmode=require, postgres.js to no TLS. For a loopback
 * server without an explicit sslmode rb sends sslmode=disable so both clients agree; remote URLs
 * keep dbmate's secure default.
 */
export function dbmateUrl(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('sslmode') && LOOPBACK.has(parsed.hostname)) parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}

/**
 * The application_name dbmate's sessions carry: `rb dbmate (pid <rb's pid> on <host>)`
 * (src/session-names.ts). A killed rb cannot end its dbmate child (kill -9 runs no handler), so a
 * later run finds that child's sessions in pg_stat_activity by this name
 * (src/migrations/migration-sessions.ts).
 */
export function dbmateSessionName(pid = process.pid): string {
  return rbSessionName('dbmate', pid);
}

/**
 * How dbmate (and the pg_dump it starts for `dump`) gets the URL: without the password, which
 * goes into PGPASSWORD (lib/pq and libpq both read it), because command lines are visible to
 * every local user in `ps` and pg_dump receives the URL as an argument (field notes §8).
 */
export function dbmateConnection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(dbmateUrl(url));
  const env: NodeJS.ProcessEnv = { ...process.env };
  const password = parsed.password ? decodeURIComponent(parsed.password) : parsed.searchParams.get('password');
  if (password) env.PGPASSWORD = password;
  parsed.password = '';
  parsed.searchParams.delete('password');
  parsed.searchParams.set('application_name', dbmateSessionName());
  // URLSearchParams writes spaces as "+", which lib/pq and libpq do not decode.
  return { url: parsed.toString().replace(/\+/g, '%20'), env };
}

/**
 * The dbmate binary of the platform package @dbmate/<platform>-<arch>, an optional dependency of
 * dbmate: an install with --omit=optional (or a lock file made on another platform) lacks it, and
 * dbmate's resolveBinary then throws a bare Error. Said as the embedded server and squawk say it.
 */
export function dbmateBinary(): string {
  try {
    return resolveBinary();
  } catch (error) {
    if (error instanceof Error && /^Unable to locate dbmate binary/.test(error.message)) {
      const pkg = `@dbmate/${process.platform}-${process.arch}`;
      throw new RbError(`dbmate for this platform (${pkg}, an optional dependency of dbmate) is not installed; reinstall without --omit=optional (npm install)`);
    }
    throw error;
  }
}

/** Runs the dbmate binary from the platform package (not npx: ~0.5 s a call). */
export async function runDbmate(options: DbmateOptions, args: string[]): Promise<ProcessResult> {
  const connection = dbmateConnection(options.url);
  const env = { ...connection.env, RB_DBMATE_URL: connection.url };
  const global = [
    '--env', 'RB_DBMATE_URL',
    // rb reads .env itself; keep dbmate from reading the project's .env a second time.
    '--env-file', '/dev/null',
    '--migrations-dir', options.migrationsDir,
    // Always qualified: unqualified, dbmate follows search_path (src/rb-tables.ts).
    '--migrations-table', qualified(DBMATE_TABLE),
    '--schema-file', options.schemaFile ?? path.join(os.tmpdir(), 'rb-unused-schema.sql'),
    '--no-dump-schema',
  ];
  const result = await runProcess(dbmateBinary(), [...global, ...args], { env });
  return { ...result, stdout: maskUrl(result.stdout), stderr: maskUrl(result.stderr) };
}

/**
 * dbmate has no "migrate these files only": give it a directory of links to exactly the files
 * it may apply. A file that starts with a byte order mark gets a copy without it instead (dbmate
 * would not find its `-- migrate:up` line; the lines stay where they were).
 */
export async function withMigrationSubset<T>(filePaths: string[], work: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir('migrations');
  try {
    for (const file of filePaths) {
      const text = readFileSync(file, 'utf8');
      const target = path.join(dir, path.basename(file));
      if (text.charCodeAt(0) === 0xfeff) writeFileSync(target, stripBom(text));
      else symlinkSync(path.resolve(file), target);
    }
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface DbmateSqlError {
  /** Line inside the section, counting the marker line as 1 (dbmate's numbering). */
  sectionLine?: number;
  column?: number;
  message: string;
  sqlState?: string;
}

/** Reads dbmate's last `Error: ...` line: "line: 4, column: 8, position: 57: pq: msg at position 4:8 (42601)". */
export function parseDbmateError(stderr: string): DbmateSqlError {
  const errorLine = stderr.split('\n').reverse().find((line) => line.startsWith('Error: ')) ?? stderr.trim();
  let text = errorLine.replace(/^Error:\s*/, '');
  const located = /^line: (\d+), column: (\d+), position: \d+: (.*)$/.exec(text);
  const result: DbmateSqlError = { message: text };
  if (located) {
    result.sectionLine = Number(located[1]);
    result.column = Number(located[2]);
    text = located[3];
  }
  const state = /\s\(([0-9A-Z]{5})\)$/.exec(text);
  if (state) {
    result.sqlState = state[1];
    text = text.slice(0, state.index);
  }
  result.message = text.replace(/^pq: /, '').replace(/ at (position \d+:\d+|column \d+)$/, '');
  return result;
}
