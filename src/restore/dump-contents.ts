import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RbError } from '../errors.ts';
import { trackChild } from '../interrupt.ts';
import { DBMATE_TABLE } from '../rb-tables.ts';
import { tableKey, writeRestoreList, type ArchiveToc, type TocEntry } from './archive-toc.ts';
import { opensLargeObject, writesLargeObject } from './large-objects.ts';
import { firstError, runPgTool } from './pg-tools.ts';
import { ownerState, runTag } from './run-owner.ts';

export function isTrackingData(entry: TocEntry): boolean {
  return entry.kind === 'TABLE DATA' && entry.schema === DBMATE_TABLE.schema && entry.name === DBMATE_TABLE.name;
}

const SCRATCH = /^rb-restore-([0-9a-f]{6})_(\d+)-/;

/** Runs work with a private temporary directory (list files), removed afterwards. */
export async function withScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  // Named after the run, so a later run removes it when this one was killed (removeLeftoverScratchDirs).
  const dir = mkdtempSync(path.join(os.tmpdir(), `rb-restore-${runTag()}-`));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the scratch directories of restores on this machine whose process is gone (kill -9). */
export function removeLeftoverScratchDirs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const match = SCRATCH.exec(name);
    if (match && ownerState({ hostTag: match[1], pid: Number(match[2]) }) === 'gone') rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * The migration versions production had applied when the dump was taken: the rows of the
 * tracking table's data, printed by pg_restore as a COPY block and parsed here.
 * Undefined when the dump holds no data for the tracking table.
 */
export async function readDumpVersions(toc: ArchiveToc): Promise<string[] | undefined> {
  const entry = toc.entries.find((e) => isTrackingData(e));
  if (!entry) return undefined;
  const text = await withScratchDir(async (dir) => {
    const list = path.join(dir, 'tracking.list');
    writeRestoreList(list, [entry]);
    const result = await runPgTool('pg_restore', ['--data-only', '--use-list', list, '--file', '-', toc.file]);
    if (!result.ok) throw new RbError(`could not read ${tableKey(entry)} from ${toc.file}: ${firstError(result.stderr)}`);
    return result.stdout;
  });
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('COPY '));
  if (start < 0) return [];
  const columns = /\((.*)\) FROM stdin;$/.exec(lines[start])?.[1].split(', ').map((c) => c.replace(/"/g, '')) ?? ['version'];
  const column = Math.max(0, columns.indexOf('version'));
  const versions: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    versions.push(line.split('\t')[column]);
  }
  return versions;
}

// A possibly quoted identifier as pg_dump writes it, and a qualified name of two or three of them.
const IDENT = '(?:"(?:[^"]|"")*"|[^\\s."(),;]+)';
const IDENTITY_SEQUENCE = new RegExp(`ALTER TABLE (?:ONLY )?(${IDENT}\\.${IDENT}) ALTER COLUMN ${IDENT} ADD GENERATED (?:ALWAYS|BY DEFAULT) AS IDENTITY \\(\\s*SEQUENCE NAME (${IDENT}\\.${IDENT})`, 'g');
const OWNED_SEQUENCE = new RegExp(`ALTER SEQUENCE (${IDENT}\\.${IDENT}) OWNED BY (${IDENT}\\.${IDENT})\\.${IDENT};`, 'g');

/** "app.\"My Table\"" -> "app.My Table" (the unquoted key the TOC uses). */
function unquotedKey(qualified: string): string {
  const parts = qualified.match(new RegExp(IDENT, 'g')) ?? [];
  return parts.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p)).join('.');
}

/**
 * Which table owns each sequence in the dump ("schema.sequence" -> "schema.table"): serial
 * columns (ALTER SEQUENCE ... OWNED BY) and identity columns (ADD GENERATED ... SEQUENCE NAME).
 * Read from the SQL pg_restore prints for the dump's sequence entries, which are small.
 */
export async function readSequenceOwners(toc: ArchiveToc): Promise<Map<string, string>> {
  const entries = toc.entries.filter((e) => e.kind === 'SEQUENCE' || e.kind === 'SEQUENCE OWNED BY');
  if (entries.length === 0) return new Map();
  const text = await withScratchDir(async (dir) => {
    const list = path.join(dir, 'sequences.list');
    writeRestoreList(list, entries);
    const result = await runPgTool('pg_restore', ['--schema-only', '--use-list', list, '--file', '-', toc.file]);
    if (!result.ok) throw new RbError(`could not read the sequences in ${toc.file}: ${firstError(result.stderr)}`);
    return result.stdout;
  });
  return parseSequenceOwners(text);
}

/** The owners in the SQL pg_restore prints for sequence entries. Exported for tests. */
export function parseSequenceOwners(text: string): Map<string, string> {
  const owners = new Map<string, string>();
  for (const match of text.matchAll(IDENTITY_SEQUENCE)) owners.set(unquotedKey(match[2]), unquotedKey(match[1]));
  for (const match of text.matchAll(OWNED_SEQUENCE)) owners.set(unquotedKey(match[1]), unquotedKey(match[2]));
  return owners;
}

const NEWLINE = 0x0a;
const DATA_HEADER = /^-- Data for Name: (.*); Type: TABLE DATA; Schema: (.*); Owner: /;

export interface DumpCounts {
  /** Rows per table, "schema.table" as in the TOC. */
  rows: Map<string, number>;
  /** Large objects whose data the listed entries hold. */
  largeObjects: number;
}

/**
 * Counts the rows per table and the large objects in an archive without loading it: streams
 * `pg_restore --data-only -L list -f -` and counts the lines of each COPY block (COPY's text
 * format escapes newlines inside values, so one line is one row) and the lo_open lines (one per
 * large object). The dump's own numbers, independent of what the database later reports.
 */
export function countDumpRows(file: string, listFile: string, signal?: AbortSignal): Promise<DumpCounts> {
  return new Promise((resolve, reject) => {
    // Streamed rather than collected with runProcess: the data can be gigabytes.
    const child = spawn('pg_restore', ['--data-only', '--use-list', listFile, '--file', '-', file], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const forget = trackChild(child);
    const counts = new Map<string, number>();
    let largeObjects = 0;
    let current = '';
    let inCopy = false;
    let rows = 0;
    let partial: Buffer = Buffer.alloc(0);
    let stderr = '';
    const line = (buf: Buffer, start: number, end: number) => {
      if (inCopy) {
        if (end - start === 2 && buf[start] === 0x5c && buf[start + 1] === 0x2e) {
          counts.set(current, (counts.get(current) ?? 0) + rows);
          inCopy = false;
        } else rows += 1;
        return;
      }
      // A large object's bytes (hex, a line per 16 kB): skipped without decoding the whole line.
      if (writesLargeObject(buf.toString('latin1', start, Math.min(end, start + 32)))) return;
      const text = buf.toString('utf8', start, end);
      const header = DATA_HEADER.exec(text);
      if (header) current = `${header[2]}.${header[1]}`;
      else if (opensLargeObject(text)) largeObjects += 1;
      else if (text.startsWith('COPY ') && text.endsWith('FROM stdin;')) {
        inCopy = true;
        rows = 0;
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      let pos = 0;
      if (partial.length) {
        const nl = chunk.indexOf(NEWLINE);
        if (nl < 0) {
          partial = Buffer.concat([partial, chunk]);
          return;
        }
        const joined = Buffer.concat([partial, chunk.subarray(0, nl)]);
        line(joined, 0, joined.length);
        partial = Buffer.alloc(0);
        pos = nl + 1;
      }
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, pos);
        if (nl < 0) break;
        line(chunk, pos, nl);
        pos = nl + 1;
      }
      if (pos < chunk.length) partial = Buffer.from(chunk.subarray(pos));
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (error) => {
      forget();
      reject(error);
    });
    child.on('close', (code, signal) => {
      forget();
      if (code !== 0 || signal) reject(new RbError(`could not read the data in ${file}: ${firstError(stderr)}`));
      else resolve({ rows: counts, largeObjects });
    });
  });
}
