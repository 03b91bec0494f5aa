import type { Queryable } from '../../client.ts';
import { UsageError } from '../../errors.ts';
import { migrationSlug } from '../../migrations/new-migration.ts';
import { isTransactionControl, refusedInTransaction, splitStatements } from '../../migrations/sql-statements.ts';
import type { ImporterName } from '../../rb-tables.ts';

/**
 * What every importer (golang-migrate, Flyway, Prisma Migrate, node-pg-migrate) reads from another
 * tool's migrations directory and tracking table, and how rb turns it into dbmate files.
 */
export interface SourceMigration {
  /** The version as the tool writes it: "42", "1.2", "20210101120000". */
  sourceVersion: string;
  /** Its numeric parts in the tool's order (Flyway's 1.2 is [1, 2]; the others have one). */
  parts: bigint[];
  /** What the rb file is named after (slugged): the tool's description or name. */
  name: string;
  /** How the tool's tracking table names it: golang-migrate's version, Flyway's version, Prisma's and node-pg-migrate's name. */
  trackingKey: string;
  /** Source files (paths as shown in messages), the up one first. */
  files: string[];
  up: Section;
  /** Absent: the tool had no down migration; the rb file's down is marked irreversible with `why`. */
  down: Section | { irreversible: string };
  /** The tool's own setting that runs it outside a transaction (Flyway's executeInTransaction=false). */
  noTransaction?: boolean;
}

export interface Section {
  /** The SQL, byte for byte as in the source file. */
  text: string;
  /** Where it comes from, for messages ("migrations/1_init.up.sql"). */
  file: string;
  /** 1-based line of the file where `text` starts. */
  line: number;
}

/** What the tool's tracking table says on one database. */
export interface SourceTracking {
  /** "public.flyway_schema_history" */
  table: string;
  /** The migrations the tool applied there, in order. */
  applied: SourceMigration[];
  /** One line for the output: "version 3, clean". */
  summary: string;
  /**
   * The table sits where dbmate's must be (golang-migrate's public.schema_migrations): `moveAside`
   * moves it before rb records anything, in the same transaction.
   */
  moveAside?: { to: string; run: (tx: Queryable) => Promise<void> };
}

export interface Importer {
  /** The name `rb import` takes: "golang-migrate". */
  name: ImporterName;
  /** The tool's name in messages: "Flyway". */
  tool: string;
  /** Reads the migrations in tool order; refusals (Java migrations, repeatables...) throw UsageError. */
  read(dir: string, show: (file: string) => string): { migrations: SourceMigration[]; warnings: string[] };
  /**
   * Reads the tool's tracking table; undefined when the database has none. Failed or dirty
   * migrations are refused (MigrationError) with what to do, and so are recorded migrations the
   * directory lacks.
   */
  readTracking(sql: Queryable, migrations: SourceMigration[]): Promise<SourceTracking | undefined>;
}

/** The migration the tracking table names by `key`; a recorded migration the directory lacks is refused. */
export function recordedMigration(migrations: SourceMigration[], key: string, table: string, tool: string): SourceMigration {
  const found = migrations.find((m) => m.trackingKey === key);
  if (found) return found;
  throw new UsageError(
    `${table} records ${key} as applied, but the ${tool} migrations directory has no file for it; ` +
      'import from the directory this database was migrated from (the same commit), or restore the missing file, then run rb import again',
  );
}

/**
 * The schema that holds the tool's tracking table `name` (each tool lets a project choose it);
 * undefined when there is none. Several copies are refused: rb cannot tell which history is this database's.
 */
export async function trackingTableSchema(sql: Queryable, name: string): Promise<string | undefined> {
  const tables = await sql<{ schema: string }[]>`
    select n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r' and c.relname = ${name} order by 1`;
  if (tables.length > 1) {
    throw new UsageError(`${name} exists in several schemas (${tables.map((t) => t.schema).join(', ')}); rb cannot tell which history to import: import each schema's history into a project of its own`);
  }
  return tables[0]?.schema;
}

/** rb's versions are UTC timestamps, 14 digits; imported versions are padded to that width. */
export const VERSION_WIDTH = 14;

/**
 * Maps the tool's versions to rb versions that keep their order, numerically (rb) and as strings
 * (dbmate sorts files by name), and sort before rb new-migration's timestamps:
 * - one-part versions (golang-migrate's N, Prisma's and node-pg-migrate's timestamps) are the
 *   number zero-padded to 14 digits: 42 -> 00000000000042; 14-digit timestamps stay as they are;
 * - Flyway's dotted versions pad each part to the widest that part has in the directory and join
 *   them: 1, 1.1, 2, 10 -> 010, 011, 020, 100 -> 00000000000010 ...
 * Versions the tool takes as equal (Flyway's 1 and 1.0) or that need more than 14 digits are refused.
 */
export function assignVersions(migrations: SourceMigration[], tool: string): Map<SourceMigration, string> {
  const positions = Math.max(0, ...migrations.map((m) => m.parts.length));
  const widths = Array.from({ length: positions }, (_, i) => Math.max(1, ...migrations.map((m) => (m.parts[i] ?? 0n).toString().length)));
  const result = new Map<SourceMigration, string>();
  const seen = new Map<string, SourceMigration>();
  for (const migration of migrations) {
    const digits = positions === 1
      ? migration.parts[0].toString()
      : widths.map((width, i) => (migration.parts[i] ?? 0n).toString().padStart(width, '0')).join('');
    if (digits.length > VERSION_WIDTH) {
      throw new UsageError(
        `${migration.files[0]}: ${tool} version ${migration.sourceVersion} needs ${digits.length} digits as an rb version, more than the ${VERSION_WIDTH} of rb's timestamps, ` +
          'so new migrations would sort before it; rename the files to shorter versions (keeping their order) before importing, and record those in the tool\'s table too',
      );
    }
    const version = digits.padStart(VERSION_WIDTH, '0');
    const other = seen.get(version);
    if (other) {
      throw new UsageError(`${migration.files[0]}: ${tool} version ${migration.sourceVersion} is the same version as ${other.sourceVersion} of ${other.files[0]}; ${tool} refuses that too: give one of them another version`);
    }
    seen.set(version, migration);
    result.set(migration, version);
  }
  return result;
}

/** `-- migrate:up`/`-- migrate:down` and `-- rb:` lines in the source would be read as rb's own. */
function refuseRbLines(section: Section): void {
  const lines = section.text.split(/\r?\n/);
  const index = lines.findIndex((line) => /^--\s*migrate:(up|down)\b/.test(line) || /^\s*--\s*rb:/.test(line));
  if (index !== -1) {
    throw new UsageError(
      `${section.file}:${section.line + index}: "${lines[index].trim()}" is a line rb reads as its own (a dbmate section marker or an rb setting); ` +
        'change that comment in the source file (e.g. "-- note: ..."), then run rb import again',
    );
  }
}

/**
 * Whether a section runs outside dbmate's transaction, as the tool ran it: one statement
 * PostgreSQL refuses in a transaction (CREATE INDEX CONCURRENTLY), or statements that manage
 * their own transactions (BEGIN ... COMMIT). A warning when neither fits (rb check says the same).
 */
function sectionOptions(section: Section, forced: boolean | undefined, warnings: string[]): string {
  const statements = splitStatements(section.text);
  const refused = statements.filter((s) => refusedInTransaction(s));
  if (forced || statements.some(isTransactionControl) || (statements.length === 1 && refused.length === 1)) {
    if (statements.length > 1 && refused.length && !statements.some(isTransactionControl)) {
      warnings.push(
        `${section.file}: ${refusedInTransaction(refused[0])} is one of ${statements.length} statements; rb runs a transaction:false section as one query, ` +
          'where it cannot run: split the converted file into one file per statement before applying it anywhere',
      );
    }
    return ' transaction:false';
  }
  if (refused.length) {
    warnings.push(
      `${section.file}: ${refusedInTransaction(refused[0])} cannot run inside a transaction, and the converted file runs in one; ` +
        'move that statement into a transaction:false file of its own before applying it anywhere',
    );
  }
  return '';
}

/** A section's text between rb's markers: byte for byte, with the line break dbmate's format needs. */
function body(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Whether the text has no SQL (only comments and blank lines): rb check would call that down empty. */
function hasNoSql(text: string): boolean {
  return splitStatements(text).length === 0;
}

/**
 * The dbmate file for one migration: a header naming the source, the up SQL and the down SQL byte
 * for byte inside the sections, `transaction:false` where the tool ran it outside a transaction,
 * and `-- rb:irreversible` where the tool had no down (or an empty one).
 */
export function convertMigration(migration: SourceMigration, tool: string, warnings: string[]): string {
  refuseRbLines(migration.up);
  const header = `-- rb:imported from ${migration.files.join(' and ')} (${tool} version ${migration.sourceVersion})\n`;
  const up = `-- migrate:up${sectionOptions(migration.up, migration.noTransaction, warnings)}\n${body(migration.up.text)}\n`;
  if ('irreversible' in migration.down) {
    return `${header}${up}-- migrate:down\n-- rb:irreversible ${migration.down.irreversible}\n`;
  }
  refuseRbLines(migration.down);
  const empty = hasNoSql(migration.down.text) ? `-- rb:irreversible the ${tool} down migration (${migration.down.file}) does nothing\n` : '';
  const options = empty ? '' : sectionOptions(migration.down, migration.noTransaction, warnings);
  return `${header}${up}-- migrate:down${options}\n${empty}${body(migration.down.text)}`;
}

/** The rb file name: the version and the tool's name for it, snake-cased as rb new-migration does. */
export function convertedFileName(version: string, migration: SourceMigration): string {
  return `${version}_${migrationSlug([migration.name]) || 'migration'}.sql`;
}
