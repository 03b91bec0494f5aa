import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../../client.ts';
import { UsageError } from '../../errors.ts';
import { quoteIdent } from '../../local-db/ensure-database.ts';
import { importedTable } from '../../rb-tables.ts';
import { recordedMigration, type Importer, type Section, type SourceMigration, type SourceTracking, trackingTableSchema } from './source-history.ts';

/** Its tracking table and name, from the one list (src/rb-tables.ts). */
const TABLE = importedTable('node-pg-migrate');

/** node-pg-migrate's file names: <prefix digits>_<name>.<ext>; its tracking table stores the name without the extension. */
const FILE = /^(\d+)_?(.*)\.([A-Za-z]+)$/;
const SCRIPT = /^(js|cjs|mjs|ts|cts|mts)$/;

/** node-pg-migrate's SQL format (src/sqlMigration.ts): `-- Up Migration` and `-- Down Migration` comments split the file. */
const marker = (direction: 'up' | 'down') => new RegExp(`^\\s*--[\\s-]*${direction}\\s+migration`, 'im');
/** Older releases ran a file that starts with `-- no transaction` outside a transaction. */
const NO_TRANSACTION = /^\s*--[\s-]*no\s*transaction/i;

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The up and down SQL exactly as node-pg-migrate cuts them (each starts at its own comment). */
export function splitSqlMigration(text: string, file: string): { up: Section; down?: Section } {
  const upStart = text.search(marker('up'));
  const downStart = text.search(marker('down'));
  const up: Section = upStart >= 0
    ? { text: text.slice(upStart, downStart < upStart ? undefined : downStart), file, line: lineAt(text, upStart) }
    : { text, file, line: 1 };
  if (downStart < 0) return { up };
  return { up, down: { text: text.slice(downStart, upStart < downStart ? undefined : upStart), file, line: lineAt(text, downStart) } };
}

function read(dir: string, show: (file: string) => string): { migrations: SourceMigration[]; warnings: string[] } {
  const warnings: string[] = [];
  const migrations: SourceMigration[] = [];
  for (const fileName of readdirSync(dir).filter((f) => !f.startsWith('.')).sort()) {
    const file = path.join(dir, fileName);
    const match = FILE.exec(fileName);
    if (match && SCRIPT.test(match[3])) {
      throw new UsageError(
        `${show(file)}: a JavaScript/TypeScript migration (node-pg-migrate's builder); rb imports node-pg-migrate's SQL migrations only: ` +
          'write it as an SQL migration (-- Up Migration / -- Down Migration) first, or adopt the database as it is with rb baseline',
      );
    }
    if (!match || match[3] !== 'sql') {
      if (fileName.endsWith('.sql')) throw new UsageError(`${show(file)}: an SQL file without node-pg-migrate's numeric prefix (<timestamp>_<name>.sql); rb cannot place it in the order`);
      warnings.push(`${show(file)}: not a node-pg-migrate migration; left out`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const { up, down } = splitSqlMigration(text, show(file));
    const shown = show(file);
    migrations.push({
      sourceVersion: match[1],
      parts: [BigInt(match[1])],
      name: match[2] || fileName.replace(/\.sql$/, ''),
      trackingKey: fileName.replace(/\.sql$/, ''),
      files: [shown],
      up,
      down: down ?? { irreversible: 'the node-pg-migrate migration had no -- Down Migration section' },
      noTransaction: NO_TRANSACTION.test(text) || undefined,
    });
  }
  migrations.sort((a, b) => (a.parts[0] < b.parts[0] ? -1 : a.parts[0] > b.parts[0] ? 1 : a.trackingKey < b.trackingKey ? -1 : 1));
  return { migrations, warnings };
}

/** pgmigrations (id, name, run_on): one row per applied migration; node-pg-migrate records nothing for a failed one (it rolls back). */
async function readTracking(sql: Queryable, migrations: SourceMigration[]): Promise<SourceTracking | undefined> {
  const schema = await trackingTableSchema(sql, TABLE.name);
  if (schema === undefined) return undefined;
  const table = `${schema}.${TABLE.name}`;
  const rows = await sql.unsafe<{ name: string }[]>(`select name from ${quoteIdent(schema)}.${quoteIdent(TABLE.name)} order by run_on, id`);
  const applied = new Set(rows.map((r) => recordedMigration(migrations, r.name, table, 'node-pg-migrate')));
  const list = migrations.filter((m) => applied.has(m));
  return { table, applied: list, summary: `${list.length} migration(s) run` };
}

export const nodePgMigrate: Importer = { name: TABLE.importer, tool: TABLE.tool, read, readTracking };
