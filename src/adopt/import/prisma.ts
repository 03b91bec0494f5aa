import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../../client.ts';
import { MigrationError, UsageError } from '../../errors.ts';
import { quoteIdent } from '../../local-db/ensure-database.ts';
import { importedTable } from '../../rb-tables.ts';
import { recordedMigration, type Importer, type SourceMigration, type SourceTracking, trackingTableSchema } from './source-history.ts';

/** Its tracking table and name, from the one list (src/rb-tables.ts). */
const TABLE = importedTable('prisma');

/** Prisma Migrate's folders: prisma/migrations/<yyyymmddhhmmss>_<name>/migration.sql. */
const FOLDER = /^(\d+)_(.+)$/;

function read(dir: string, show: (file: string) => string): { migrations: SourceMigration[]; warnings: string[] } {
  const lock = path.join(dir, 'migration_lock.toml');
  if (existsSync(lock)) {
    const provider = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lock, 'utf8'))?.[1];
    if (provider && provider !== 'postgresql') {
      throw new UsageError(`${show(lock)}: these migrations are for ${provider}; rb works with PostgreSQL (provider = "postgresql")`);
    }
  }
  const folders = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (folders.length === 0 && existsSync(path.join(dir, 'migrations'))) {
    throw new UsageError(`${show(dir)} holds no migration folders; Prisma keeps them in ${show(path.join(dir, 'migrations'))}: give that directory`);
  }
  const migrations: SourceMigration[] = [];
  for (const folder of folders) {
    const file = path.join(dir, folder, 'migration.sql');
    const match = FOLDER.exec(folder);
    if (!match || !existsSync(file)) {
      throw new UsageError(`${show(path.join(dir, folder))}: not a Prisma migration (<timestamp>_<name>/migration.sql, as prisma migrate dev writes); move it out of ${show(dir)}`);
    }
    migrations.push({
      sourceVersion: match[1],
      parts: [BigInt(match[1])],
      name: match[2],
      trackingKey: folder,
      files: [show(file)],
      up: { text: readFileSync(file, 'utf8'), file: show(file), line: 1 },
      down: { irreversible: 'Prisma Migrate writes no down migrations' },
    });
  }
  return { migrations, warnings: [] };
}

interface PrismaRow {
  name: string;
  finished: boolean;
  rolledBack: boolean;
  logs: string | null;
}

/**
 * _prisma_migrations: a row per attempt. Finished and not rolled back: applied. Neither finished
 * nor rolled back: failed (Prisma refuses to go on until `prisma migrate resolve`). Rolled back:
 * not applied (unless a later attempt finished).
 */
async function readTracking(sql: Queryable, migrations: SourceMigration[]): Promise<SourceTracking | undefined> {
  const schema = await trackingTableSchema(sql, TABLE.name);
  if (schema === undefined) return undefined;
  const table = `${schema}.${TABLE.name}`;
  const rows = await sql.unsafe<PrismaRow[]>(
    `select migration_name as name, finished_at is not null as finished, rolled_back_at is not null as "rolledBack", logs
       from ${quoteIdent(schema)}.${quoteIdent(TABLE.name)} order by started_at, migration_name`,
  );
  const failed = rows.find((r) => !r.finished && !r.rolledBack);
  if (failed) {
    const log = failed.logs ? ` (${failed.logs.trim().split('\n')[0].slice(0, 200)})` : '';
    throw new MigrationError(
      `Prisma Migrate recorded ${failed.name} as started but not finished in ${table}: it failed${log}, and Prisma refuses to migrate on from there too; ` +
        `repair what it left, mark it with prisma migrate resolve --rolled-back ${failed.name} (or --applied ${failed.name} if you completed it by hand), then run rb import again`,
    );
  }
  const applied = new Set(rows.filter((r) => r.finished && !r.rolledBack).map((r) => recordedMigration(migrations, r.name, table, 'Prisma Migrate')));
  const list = migrations.filter((m) => applied.has(m));
  const rolledBack = rows.filter((r) => r.rolledBack).length;
  return { table, applied: list, summary: `${list.length} migration(s) finished${rolledBack ? `, ${rolledBack} rolled back` : ''}, none failed` };
}

export const prisma: Importer = { name: TABLE.importer, tool: TABLE.tool, read, readTracking };
