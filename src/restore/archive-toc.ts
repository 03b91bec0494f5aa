import { writeFileSync } from 'node:fs';
import { RbError } from '../errors.ts';
import { firstError, runPgTool, toolVersion } from './pg-tools.ts';

/** One line of `pg_restore -l`: "3290; 0 16412 TABLE DATA app event postgres". */
export interface TocEntry {
  dumpId: number;
  /** "TABLE", "TABLE DATA", "SEQUENCE SET", "FK CONSTRAINT", ... */
  kind: string;
  /** "-" when the object has no schema. */
  schema: string;
  /** The object's name; for constraints "<table> <constraint>". */
  name: string;
  /** The line as pg_restore printed it (what a -L list file holds). */
  line: string;
}

export interface ArchiveToc {
  file: string;
  /** "15.18" from "Dumped from database version". */
  dumpedFrom?: string;
  /** "15.18 (Debian ...)" from "Dumped by pg_dump version". */
  dumpedBy?: string;
  entries: TocEntry[];
}

// Object kinds with a space in them, longest first so "TABLE DATA" wins over "TABLE".
const KINDS = [
  'TABLE DATA', 'SEQUENCE SET', 'SEQUENCE OWNED BY', 'FK CONSTRAINT', 'CHECK CONSTRAINT', 'DEFAULT ACL', 'MATERIALIZED VIEW DATA',
  'MATERIALIZED VIEW', 'BLOB METADATA', 'BLOBS', 'LARGE OBJECT', 'TEXT SEARCH CONFIGURATION', 'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER', 'TEXT SEARCH TEMPLATE', 'FOREIGN TABLE', 'FOREIGN DATA WRAPPER', 'USER MAPPING', 'ROW SECURITY',
  'EVENT TRIGGER', 'PROCEDURAL LANGUAGE', 'SHELL TYPE', 'OPERATOR CLASS', 'OPERATOR FAMILY', 'ACCESS METHOD',
  'PUBLICATION TABLE', 'PUBLICATION TABLES IN SCHEMA', 'INDEX ATTACH', 'TABLE ATTACH', 'STATISTICS DATA',
];

/** Parses the output of `pg_restore -l`. Exported for tests. */
export function parseToc(file: string, text: string): ArchiveToc {
  const toc: ArchiveToc = { file, entries: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith(';')) {
      const from = /Dumped from database version: (.+)$/.exec(line);
      if (from) toc.dumpedFrom = from[1].trim();
      const by = /Dumped by pg_dump version: (.+)$/.exec(line);
      if (by) toc.dumpedBy = by[1].trim();
      continue;
    }
    const match = /^(\d+); \d+ \d+ (.*)$/.exec(line);
    if (!match) continue;
    const rest = match[2];
    const kind = KINDS.find((k) => rest.startsWith(`${k} `)) ?? rest.split(' ')[0];
    const words = rest.slice(kind.length + 1).split(' ');
    // "<schema> <name...> <owner>": the owner is the last word (empty owner leaves a trailing space).
    const schema = words.shift() ?? '-';
    words.pop();
    toc.entries.push({ dumpId: Number(match[1]), kind, schema, name: words.join(' '), line });
  }
  return toc;
}

/**
 * Lists a custom-format archive. An archive written by a newer pg_dump than this pg_restore is
 * named with both versions and what to install.
 */
export async function readArchiveToc(file: string): Promise<ArchiveToc> {
  const result = await runPgTool('pg_restore', ['--list', file]);
  if (!result.ok) {
    const error = firstError(result.stderr);
    if (/unsupported version/.test(error)) {
      const restore = await toolVersion('pg_restore');
      throw new RbError(
        `${file} was written by a newer pg_dump than pg_restore ${restore.version} can read (${error}); install the PostgreSQL client tools of the dump's version (Debian: apt-get install postgresql-client-<major> from apt.postgresql.org) and put them first in PATH`,
      );
    }
    throw new RbError(`${file} is not a pg_dump archive rb can read (${error}); make it with pg_dump --format=custom, or use rb dump-and-restore`);
  }
  return parseToc(file, result.stdout);
}

/** "schema.table" as pg_restore -l names it (unquoted). */
export function tableKey(entry: Pick<TocEntry, 'schema' | 'name'>): string {
  return `${entry.schema}.${entry.name}`;
}

/** Writes a -L list file that restores exactly the given entries. */
export function writeRestoreList(path: string, entries: TocEntry[]): void {
  writeFileSync(path, entries.map((e) => e.line).join('\n') + '\n', { mode: 0o600 });
}
