import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { parseRbDirectives, type RbDirectives } from './rb-directives.ts';
import { isTransactionControl, refusedInTransaction, splitStatements } from './sql-statements.ts';

/** One `-- migrate:up` or `-- migrate:down` section of a migration file. */
export interface MigrationSection {
  /** 1-based line of the marker in the file. */
  line: number;
  /** Options after the marker, e.g. { transaction: 'false' }. */
  options: Record<string, string>;
  sql: string;
}

export interface MigrationFile {
  version: string;
  name: string;
  fileName: string;
  path: string;
  up: MigrationSection;
  down: MigrationSection;
  /** Its `-- rb:` lines (timeouts, irreversible), with any problems in them. */
  directives: RbDirectives;
}

/** dbmate's file name rule: a numeric version, an underscore, a name, `.sql`. */
export const FILE_NAME_PATTERN = /^(\d+)_(.+)\.sql$/;
const MARKER_PATTERN = /^--\s*migrate:(up|down)\b(.*)$/;

export function parseFileName(fileName: string): { version: string; name: string } | null {
  const match = FILE_NAME_PATTERN.exec(fileName);
  return match ? { version: match[1], name: match[2] } : null;
}

function parseOptions(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of text.trim().split(/\s+/).filter(Boolean)) {
    const [key, value = ''] = pair.split(':');
    options[key] = value;
  }
  return options;
}

/** A UTF-8 byte order mark some Windows editors write; dbmate would not see the first marker behind it. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses a migration the way dbmate does, but stricter: exactly one up and one down marker,
 * up first (dbmate accepts a second pair and then fails at run time, dbmate issue 820). A leading
 * byte order mark is ignored (rb hands dbmate a copy without it). Problems in `-- rb:` lines are
 * returned in `directives.problems`, not thrown.
 */
export function parseMigrationText(text: string, filePath: string): Omit<MigrationFile, 'version' | 'name' | 'fileName' | 'path'> {
  text = stripBom(text);
  const lines = text.split(/\r?\n/);
  const markers: { kind: 'up' | 'down'; line: number; options: Record<string, string> }[] = [];
  lines.forEach((line, index) => {
    const match = MARKER_PATTERN.exec(line);
    if (match) markers.push({ kind: match[1] as 'up' | 'down', line: index + 1, options: parseOptions(match[2]) });
  });
  const ups = markers.filter((m) => m.kind === 'up');
  const downs = markers.filter((m) => m.kind === 'down');
  if (ups.length === 0) {
    throw new UsageError(`${filePath}:1: no '-- migrate:up' section; start the file with a line '-- migrate:up' followed by the SQL to apply`);
  }
  if (ups.length > 1) {
    throw new UsageError(`${filePath}:${ups[1].line}: a second '-- migrate:up' marker; a file holds one up and one down section, so move this change to a new migration`);
  }
  if (downs.length === 0) {
    throw new UsageError(
      `${filePath}:${lines.length}: no '-- migrate:down' section; add a line '-- migrate:down' after the up SQL, followed by SQL that undoes it`,
    );
  }
  if (downs.length > 1) {
    throw new UsageError(`${filePath}:${downs[1].line}: a second '-- migrate:down' marker; a file holds one up and one down section`);
  }
  const up = ups[0];
  const down = downs[0];
  if (down.line < up.line) {
    throw new UsageError(`${filePath}:${down.line}: '-- migrate:down' comes before '-- migrate:up'; put the up section first`);
  }
  return {
    up: { line: up.line, options: up.options, sql: lines.slice(up.line, down.line - 1).join('\n') },
    down: { line: down.line, options: down.options, sql: lines.slice(down.line).join('\n') },
    directives: parseRbDirectives(text),
  };
}

/**
 * Reads and parses one migration; `shownAs` is the path messages print (relative to the
 * project). Section problems and problems in `-- rb:` lines are thrown as one UsageError.
 */
export function readMigrationFile(dir: string, fileName: string, shownAs = path.join(dir, fileName)): MigrationFile {
  const parsedName = parseFileName(fileName);
  const filePath = path.join(dir, fileName);
  if (!parsedName) {
    throw new UsageError(`${shownAs}: not a migration file name; use <version>_<name>.sql, as "rb new-migration <name>" writes`);
  }
  const text = readFileSync(filePath, 'utf8');
  const file = { ...parsedName, fileName, path: filePath, ...parseMigrationText(text, shownAs) };
  if (file.directives.problems.length) {
    throw new UsageError(file.directives.problems.map((p) => `${shownAs}:${p.line}: ${p.message}`).join('\n'));
  }
  return file;
}

/**
 * dbmate sends a section to PostgreSQL as one query, and PostgreSQL runs the statements of one
 * query as one implicit transaction. A transaction:false section with several statements is
 * therefore not outside a transaction: CREATE INDEX CONCURRENTLY (and the like) fails in it with
 * nothing applied, and any failure would be recorded as part-way although everything rolled back.
 * Allowed: one statement, or statements that manage their own transactions (BEGIN ... COMMIT)
 * with none that PostgreSQL refuses in a transaction block.
 */
export function transactionFalseProblem(section: MigrationSection, kind: 'up' | 'down'): { line: number; message: string } | undefined {
  if (section.options.transaction !== 'false') return undefined;
  const statements = splitStatements(section.sql);
  if (statements.length < 2) return undefined;
  const fileLine = (s: { line: number }) => section.line + s.line;
  const fix = 'put each statement in a transaction:false file of its own (rb new-migration makes one)';
  const refused = statements.find((s) => refusedInTransaction(s));
  if (refused) {
    return {
      line: fileLine(refused),
      message:
        `the transaction:false ${kind} section holds ${statements.length} statements, and ${refusedInTransaction(refused)} cannot run among others: ` +
        `dbmate sends the section as one query, which PostgreSQL runs as one transaction, so it would fail with nothing applied; ${fix}`,
    };
  }
  if (statements.some(isTransactionControl)) return undefined;
  return {
    line: fileLine(statements[1]),
    message:
      `the transaction:false ${kind} section holds ${statements.length} statements: dbmate sends the section as one query, which PostgreSQL ` +
      `runs as one transaction, so transaction:false has no effect (a failure would roll everything back, yet rb would record the file as failed part-way); ${fix}`,
  };
}

/** True when a section has nothing but comments and blank lines. */
export function isEmptySection(section: MigrationSection): boolean {
  return section.sql
    .split('\n')
    .every((line) => line.trim() === '' || line.trim().startsWith('--'));
}
