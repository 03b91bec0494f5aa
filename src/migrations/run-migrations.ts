import { ConnectionError, MigrationError, type RbError } from '../errors.ts';
import { DBMATE_TABLE } from '../rb-tables.ts';
import { parseDbmateError, runDbmate, withMigrationSubset, type DbmateSqlError } from './dbmate.ts';
import type { MigrationFile, MigrationSection } from './migration-file.ts';
import { locateByReplay } from './replay-section.ts';
import { splitStatements } from './sql-statements.ts';

/**
 * The one way rb runs migration files through dbmate (rb upgrade/downgrade, the restore rebuild,
 * rb check and the types shadow database): dbmate as it is, on a directory holding exactly the
 * given files, and its output read into a structured result whose failure names the file and the
 * line in that file (not in the section dbmate ran).
 */
export interface MigrationFailure {
  /** The file that failed; absent when dbmate failed before any file (it could not connect...). */
  file?: MigrationFile;
  section: 'up' | 'down';
  /** 1-based line (and column) in the file; absent when the place is unknown (see `unknownPosition`). */
  line?: number;
  column?: number;
  sqlState?: string;
  message: string;
  /** Why `line` is absent although the file is known. */
  unknownPosition?: string;
  /** The connection to the server was lost (restart, terminated backend, network). */
  connectionLost: boolean;
}

export interface MigrationRun {
  /** Files dbmate applied (migrate) or rolled back (rollback), in order. */
  done: MigrationFile[];
  failure?: MigrationFailure;
  /**
   * dbmate was ended by a signal (rb is stopping): `current` is the file it had started, which
   * may or may not have committed; ask the database.
   */
  stopped?: { signal: NodeJS.Signals; current?: MigrationFile };
}

export interface RunOptions {
  /**
   * When PostgreSQL gives no position and the section holds several statements, run them again
   * one by one in a transaction that is rolled back, to find the failing one. Only for databases
   * that exist to be thrown away (rb check's scratch database, the types shadow database).
   */
  replayToLocate?: boolean;
}

const CONNECTION_LOST = [
  /driver: bad connection/, /connection refused/, /connection reset/, /broken pipe/, /(^|: )(unexpected )?EOF$/,
  /terminating connection/, /the database system is (starting up|shutting down|in recovery|not yet accepting)/,
  /server closed the connection/, /no such host/, /i\/o timeout/,
];

function isConnectionLoss(error: DbmateSqlError): boolean {
  if (error.sqlState && (error.sqlState.startsWith('08') || ['57P01', '57P02', '57P03'].includes(error.sqlState))) return true;
  return CONNECTION_LOST.some((pattern) => pattern.test(error.message));
}

/** "Applying: 1_a.sql" (migrate) / "Rolling back: 1_a.sql" (rollback), printed before each file runs. */
function startedFiles(stdout: string, command: 'migrate' | 'rollback', files: MigrationFile[]): MigrationFile[] {
  const prefix = command === 'migrate' ? 'Applying: ' : 'Rolling back: ';
  const byName = new Map(files.map((f) => [f.fileName, f]));
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => byName.get(line.slice(prefix.length).trim()))
    .filter((f): f is MigrationFile => f !== undefined);
}

/** Where in the file a failure is: dbmate's section line when PostgreSQL gave a position, else the one statement. */
function locateInSection(section: MigrationSection, kind: 'up' | 'down', error: DbmateSqlError): Pick<MigrationFailure, 'line' | 'column' | 'unknownPosition'> {
  // dbmate counts lines from the marker line (its section text starts there).
  if (error.sectionLine !== undefined) return { line: section.line + error.sectionLine - 1, column: error.column };
  const statements = splitStatements(section.sql);
  if (statements.length === 1) return { line: section.line + statements[0].line };
  return {
    unknownPosition:
      `position unknown: PostgreSQL reported none, and the ${kind} section (line ${section.line}) holds ${statements.length} statements`,
  };
}

/** Runs `dbmate migrate` (the files in order) or `dbmate rollback` (one file) on url. */
export async function runMigrations(
  url: string,
  files: MigrationFile[],
  command: 'migrate' | 'rollback',
  options: RunOptions = {},
): Promise<MigrationRun> {
  if (files.length === 0) return { done: [] };
  const result = await withMigrationSubset(files.map((f) => f.path), (dir) => runDbmate({ url, migrationsDir: dir }, [command]));
  const started = startedFiles(result.stdout, command, files);
  if (result.ok) return { done: started };
  if (result.signal) {
    return { done: started.slice(0, -1), stopped: { signal: result.signal, current: started.at(-1) } };
  }
  // dbmate stops at the first error: the last file it started is the one that failed.
  const file = started.at(-1);
  const section = command === 'migrate' ? 'up' : 'down';
  const error = parseDbmateError(result.stderr);
  const failure: MigrationFailure = {
    file,
    section,
    message: error.message,
    sqlState: error.sqlState,
    connectionLost: isConnectionLoss(error),
  };
  if (file && !failure.connectionLost) {
    if (error.message.includes(DBMATE_TABLE.name)) {
      // dbmate's own bookkeeping query failed (the migration itself ran): no line in the file.
      failure.message = `dbmate could not record the version in its tracking table: ${error.message}`;
    } else {
      let place = locateInSection(file[section], section, error);
      if (place.line === undefined && options.replayToLocate && file[section].options.transaction !== 'false') {
        place = await locateByReplay(url, file[section], error);
      }
      Object.assign(failure, place);
    }
  }
  return { done: started.slice(0, -1), failure };
}

/** `db/migrations/x.sql:3:15: message (SQLSTATE 42P01)`; paths shown by `show` (relative to the project). */
export function describeFailure(failure: MigrationFailure, show: (filePath: string) => string): string {
  const state = failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : '';
  if (!failure.file) return `dbmate failed: ${failure.message}${state}`;
  const where = [show(failure.file.path), failure.line, failure.line !== undefined ? failure.column : undefined].filter((p) => p !== undefined).join(':');
  const unknown = failure.unknownPosition ? ` (${failure.unknownPosition})` : '';
  return `${where}: ${failure.message}${state}${unknown}`;
}

/** The error a command throws for a failure: ConnectionError (exit 3) when the connection was lost, else MigrationError (exit 4). */
export function failureError(failure: MigrationFailure, text: string): RbError {
  return failure.connectionLost ? new ConnectionError(text) : new MigrationError(text);
}
