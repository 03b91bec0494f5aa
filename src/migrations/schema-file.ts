import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { relativeToProject, type Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { isRbOwnTable, otherToolTable } from '../rb-tables.ts';
import { runDbmate } from './dbmate.ts';

/**
 * pg_dump 15.14+ writes `\restrict <random key>` / `\unrestrict <key>` lines into plain dumps;
 * drop them so db/schema.sql is the same on every run.
 */
export function stripRestrictLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line))
    .join('\n')
    .replace(/^\n+/, '');
}

/** Rewrites db/schema.sql from the database (dbmate dump = pg_dump --schema-only + versions). */
export async function writeSchemaFile(config: Config, url: string): Promise<string> {
  const result = await runDbmate(
    { url, migrationsDir: config.migrationsDir, schemaFile: config.schemaFile },
    ['dump'],
  );
  if (!result.ok) {
    const detail = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
    if (/version mismatch/i.test(detail)) {
      throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: ${detail}; install the PostgreSQL client tools of the server's major version (apt-get install postgresql-client-<major>)`);
    }
    if (/executable file not found|pg_dump: not found/i.test(detail)) {
      throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: pg_dump is not installed; install the PostgreSQL client tools (apt-get install postgresql-client-15)`);
    }
    throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: ${detail}`);
  }
  if (existsSync(config.schemaFile)) {
    writeFileSync(config.schemaFile, stripRestrictLines(readFileSync(config.schemaFile, 'utf8')));
  }
  return config.schemaFile;
}

/** One object of a plain pg_dump: its `-- Name: ...; Type: ...; Schema: ...` header and its lines. */
export interface DumpBlock {
  lines: string[];
  /** Absent for the text before the first object and for the closing comment. */
  header?: { name: string; kind: string; schema: string };
}

/**
 * Splits a plain pg_dump into its objects: pg_dump writes one block per object, each starting
 * with a `--` / `-- Name: <name>; Type: <kind>; Schema: <schema>; ...` / `--` header.
 */
export function splitDumpBlocks(dump: string): DumpBlock[] {
  const lines = dump.split('\n');
  const blocks: DumpBlock[] = [{ lines: [] }];
  for (let i = 0; i < lines.length; i++) {
    const named = lines[i] === '--' ? /^-- (?:Data for )?Name: ([^;]+); Type: ([^;]+); Schema: ([^;]+);/.exec(lines[i + 1] ?? '') : null;
    if (named || (lines[i] === '--' && lines[i + 1] === '-- PostgreSQL database dump complete')) {
      blocks.push({ lines: [], header: named ? { name: named[1], kind: named[2], schema: named[3] } : undefined });
    }
    blocks.at(-1)!.lines.push(lines[i]);
  }
  return blocks;
}

export function joinDumpBlocks(blocks: DumpBlock[]): string {
  return blocks.flatMap((b) => b.lines).join('\n');
}

/**
 * A block without its object: pg_dump writes the session settings for what follows (`SET
 * default_table_access_method = heap;` before the first table) at the end of the block before,
 * and those must stay.
 */
export function withoutObject(block: DumpBlock): DumpBlock {
  return { lines: block.lines.filter((line) => /^(SET |SELECT pg_catalog\.set_config\()/.test(line)).flatMap((line) => [line, '']) };
}

/** A PostgreSQL identifier as pg_dump writes it in SQL: plain, or double-quoted with "" inside. */
const IDENT = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)`;
const QUALIFIED = new RegExp(String.raw`^(${IDENT})\.(${IDENT})`);

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replace(/""/g, '"') : ident;
}

/** "public.pgmigrations" from `public.pgmigrations...` at the start of text. */
function leadingTable(text: string): string | undefined {
  const match = QUALIFIED.exec(text);
  return match ? `${unquote(match[1])}.${unquote(match[2])}` : undefined;
}

/** The table a pg_dump block belongs to: by its header's name, or for indexes and sequences by its SQL. */
function blockTable(kind: string, schema: string, name: string, body: string): string | undefined {
  if (kind === 'INDEX') {
    const on = / ON (?:ONLY )?(.*)$/m.exec(body);
    return on ? leadingTable(on[1]) : undefined;
  }
  if (kind === 'SEQUENCE') {
    const identity = /^ALTER TABLE (?:ONLY )?(.*) ALTER COLUMN /m.exec(body);
    if (identity) return leadingTable(identity[1]);
  }
  // "pgmigrations", "pgmigrations pgmigrations_pkey", "TABLE pgmigrations", "COLUMN pgmigrations.name"
  const object = name.replace(/^(TABLE|COLUMN|SEQUENCE) /, '').split(/[ .]/)[0];
  return `${schema}.${object}`;
}

/**
 * Removes the given tables from a pg_dump schema dump (db/schema.sql), with everything of theirs:
 * constraints, defaults, indexes, comments, triggers and the sequences they own (serial and
 * identity).
 */
export function stripTables(dump: string, strip: (schema: string, name: string) => boolean): string {
  const blocks = splitDumpBlocks(dump);
  const stripped = (table: string | undefined) => {
    if (!table) return false;
    const dot = table.indexOf('.');
    return strip(table.slice(0, dot), table.slice(dot + 1));
  };
  // Sequences a stripped table owns: "ALTER SEQUENCE public.pgmigrations_id_seq OWNED BY public.pgmigrations.id;"
  const ownedSequences = new Set<string>();
  for (const match of dump.matchAll(new RegExp(String.raw`^ALTER SEQUENCE (${IDENT}\.${IDENT}) OWNED BY (${IDENT}\.${IDENT})\.`, 'gm'))) {
    if (stripped(leadingTable(match[2]))) ownedSequences.add(leadingTable(match[1])!);
  }
  const kept = blocks.map((block) => {
    const { header, lines: body } = block;
    if (!header) return block;
    const drop = (header.kind.startsWith('SEQUENCE') && ownedSequences.has(`${header.schema}.${header.name}`)) ||
      stripped(blockTable(header.kind, header.schema, header.name, body.join('\n')));
    return drop ? withoutObject(block) : block;
  });
  return joinDumpBlocks(kept);
}

/**
 * A dump without rb's bookkeeping tables and other migration tools' tracking tables
 * (src/rb-tables.ts): what the migrations build, and nothing that records history.
 */
export function stripTrackingTables(dump: string): string {
  return stripTables(dump, (schema, name) => isRbOwnTable(schema, name) || otherToolTable(schema, name) !== undefined);
}
