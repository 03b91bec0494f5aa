import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';

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

/**
 * Parses a migration the way dbmate does, but stricter: exactly one up and one down marker,
 * up first (dbmate accepts a second pair and then fails at run time, dbmate issue 820).
 */
export function parseMigrationText(text: string, filePath: string): Omit<MigrationFile, 'version' | 'name' | 'fileName' | 'path'> {
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
  };
}

export function readMigrationFile(dir: string, fileName: string): MigrationFile {
  const parsedName = parseFileName(fileName);
  const filePath = path.join(dir, fileName);
  if (!parsedName) {
    throw new UsageError(`${filePath}: not a migration file name; use <version>_<name>.sql, as "rb new-migration <name>" writes`);
  }
  const text = readFileSync(filePath, 'utf8');
  return { ...parsedName, fileName, path: filePath, ...parseMigrationText(text, filePath) };
}

/** True when a section has nothing but comments and blank lines. */
export function isEmptySection(section: MigrationSection): boolean {
  return section.sql
    .split('\n')
    .every((line) => line.trim() === '' || line.trim().startsWith('--'));
}

/** File line of the first line in a section that is not blank or a comment (the marker's if none). */
export function firstStatementLine(section: MigrationSection): number {
  const index = section.sql.split('\n').findIndex((line) => line.trim() !== '' && !line.trim().startsWith('--'));
  return index === -1 ? section.line : section.line + 1 + index;
}
