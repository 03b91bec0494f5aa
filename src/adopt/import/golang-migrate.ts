import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../../client.ts';
import { MigrationError, UsageError } from '../../errors.ts';
import { quoteIdent } from '../../local-db/ensure-database.ts';
import { DBMATE_TABLE, GOLANG_MIGRATE_MOVED_TABLE, importedTable, qualified } from '../../rb-tables.ts';
import { recordedMigration, type Importer, type SourceMigration, type SourceTracking } from './source-history.ts';

/** Its tracking table and name, from the one list (src/rb-tables.ts). */
const TABLE = importedTable('golang-migrate');

/** golang-migrate's file names (source.DefaultParse): `<version>_<title>.<up|down>.<ext>`. */
const FILE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;

function read(dir: string, show: (file: string) => string): { migrations: SourceMigration[]; warnings: string[] } {
  const byVersion = new Map<string, { version: bigint; title: string; up?: string; down?: string }>();
  for (const fileName of readdirSync(dir).sort()) {
    const match = FILE.exec(fileName);
    if (!match) continue; // golang-migrate skips files it cannot parse (a README...)
    const [, digits, title, direction, ext] = match;
    if (ext !== 'sql') {
      throw new UsageError(`${show(path.join(dir, fileName))}: not an SQL migration (.${ext}); rb imports golang-migrate's .sql files only`);
    }
    const version = BigInt(digits);
    const key = version.toString();
    const entry = byVersion.get(key) ?? { version, title };
    const existing = direction === 'up' ? entry.up : entry.down;
    if (existing) {
      throw new UsageError(`${show(path.join(dir, fileName))}: version ${key} has a second ${direction} file (${existing}); golang-migrate refuses that too: keep one`);
    }
    entry[direction as 'up' | 'down'] = fileName;
    byVersion.set(key, entry);
  }
  const migrations: SourceMigration[] = [];
  for (const entry of [...byVersion.values()].sort((a, b) => (a.version < b.version ? -1 : 1))) {
    if (!entry.up) throw new UsageError(`${show(path.join(dir, entry.down!))}: a down migration without its up (${entry.version}_${entry.title}.up.sql); add it or remove this file`);
    const upFile = show(path.join(dir, entry.up));
    const downFile = entry.down ? show(path.join(dir, entry.down)) : undefined;
    migrations.push({
      sourceVersion: entry.version.toString(),
      parts: [entry.version],
      name: entry.title,
      trackingKey: entry.version.toString(),
      files: downFile ? [upFile, downFile] : [upFile],
      up: { text: readFileSync(path.join(dir, entry.up), 'utf8'), file: upFile, line: 1 },
      down: entry.down
        ? { text: readFileSync(path.join(dir, entry.down), 'utf8'), file: downFile!, line: 1 }
        : { irreversible: 'golang-migrate had no down migration for it' },
    });
  }
  return { migrations, warnings: [] };
}

/**
 * golang-migrate's tracking table: `schema_migrations (version bigint, dirty boolean)` with one row,
 * the current version (every version up to it is applied). It is found by its `dirty` column in
 * any schema, or where an earlier rb import moved it.
 */
async function readTracking(sql: Queryable, migrations: SourceMigration[]): Promise<SourceTracking | undefined> {
  const tables = await sql<{ schema: string; name: string }[]>`
    select n.nspname as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r'
       and (c.relname = ${TABLE.name} or (n.nspname = ${GOLANG_MIGRATE_MOVED_TABLE.schema} and c.relname = ${GOLANG_MIGRATE_MOVED_TABLE.name}))
       and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'dirty' and not a.attisdropped)
     order by 1, 2`;
  if (tables.length === 0) return undefined;
  if (tables.length > 1) {
    throw new UsageError(
      `golang-migrate tracking tables in several places (${tables.map((t) => `${t.schema}.${t.name}`).join(', ')}); ` +
        'rb cannot tell which one belongs to this history: drop or rename the ones that do not (each is a schema_migrations table with a "dirty" column)',
    );
  }
  const table = `${quoteIdent(tables[0].schema)}.${quoteIdent(tables[0].name)}`;
  const shown = `${tables[0].schema}.${tables[0].name}`;
  const rows = await sql.unsafe<{ version: string; dirty: boolean }[]>(`select version::text as version, dirty from ${table}`);
  if (rows.length > 1) throw new UsageError(`${shown} holds ${rows.length} rows; golang-migrate keeps one (its current version): keep the row of the version the database is at`);
  const row = rows[0];
  if (row?.dirty) {
    throw new MigrationError(
      `golang-migrate recorded version ${row.version} as dirty in ${shown}: that migration failed part-way, and golang-migrate refuses to go on too; ` +
        `finish or undo what it did by hand, then mark the database clean (migrate force ${row.version}, or the version before it if you undid it) and run rb import again`,
    );
  }
  // No row (migrated down to nothing): nothing applied. Otherwise every version up to the current one.
  const current = row ? BigInt(row.version) : undefined;
  if (current !== undefined) recordedMigration(migrations, current.toString(), shown, 'golang-migrate');
  const atDbmatesPlace = tables[0].schema === DBMATE_TABLE.schema && tables[0].name === DBMATE_TABLE.name;
  return {
    table: shown,
    applied: current === undefined ? [] : migrations.filter((m) => m.parts[0] <= current),
    summary: current === undefined ? 'no version (empty)' : `version ${current}, clean`,
    moveAside: atDbmatesPlace
      ? {
          to: qualified(GOLANG_MIGRATE_MOVED_TABLE),
          run: async (tx) => {
            await tx.unsafe(`alter table ${qualified(DBMATE_TABLE)} rename to ${GOLANG_MIGRATE_MOVED_TABLE.name}`);
            // Its primary key keeps the name dbmate's table is about to use for its own.
            const constraints = await tx<{ name: string }[]>`
              select conname as name from pg_constraint where conrelid = ${qualified(GOLANG_MIGRATE_MOVED_TABLE)}::regclass and conname like 'schema\\_migrations%'`;
            for (const { name } of constraints) {
              const renamed = name.replace(/^schema_migrations/, GOLANG_MIGRATE_MOVED_TABLE.name);
              await tx.unsafe(`alter table ${qualified(GOLANG_MIGRATE_MOVED_TABLE)} rename constraint ${quoteIdent(name)} to ${quoteIdent(renamed)}`);
            }
          },
        }
      : undefined,
  };
}

export const golangMigrate: Importer = { name: TABLE.importer, tool: TABLE.tool, read, readTracking };
