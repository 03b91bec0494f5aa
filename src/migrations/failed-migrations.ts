import path from 'node:path';
import type { Sql } from '../client.ts';
import type { Config } from '../config.ts';
import { MigrationError } from '../errors.ts';
import type { RbMigrationRecord } from './rb-migrations-table.ts';

/** Indexes a failed CREATE INDEX CONCURRENTLY leaves behind (pg_index.indisvalid = false). */
export async function listInvalidIndexes(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select format('%I.%I', n.nspname, c.relname) as name
      from pg_index i
      join pg_class c on c.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
     where not i.indisvalid
     order by 1`;
  return rows.map((r) => r.name);
}

function relativePath(config: Config, fileName: string): string {
  return path.relative(config.projectDir, path.join(config.migrationsDir, fileName));
}

export const RESOLVE_FAILED_HINT =
  'undo or finish by hand what it applied, make the file safe to re-run (IF NOT EXISTS / IF EXISTS), then run rb upgrade --retry-failed';

function dropHint(indexes: string[]): string {
  if (indexes.length === 0) return '';
  const list = indexes.join(', ');
  return `; it left INVALID index ${list}: drop ${indexes.length > 1 ? 'them' : 'it'} (drop index concurrently ${list})`;
}

/** The text for a transaction:false migration that has just failed part-way. */
export function describeNonTransactionalFailure(sqlFailure: string, fileName: string, newInvalid: string[]): string {
  return (
    `${sqlFailure}; ${fileName} runs outside a transaction (transaction:false), so statements before the error stay applied ` +
    `and rb recorded it as failed${dropHint(newInvalid)}; ${RESOLVE_FAILED_HINT}`
  );
}

/** Refuses to migrate while a failed transaction:false migration is unresolved. */
export function refuseFailedMigrations(config: Config, failed: RbMigrationRecord[], invalidNow: string[]): void {
  if (failed.length === 0) return;
  const invalid = new Set(invalidNow);
  const parts = failed.map((record) => {
    const still = record.invalidIndexes.filter((name) => invalid.has(name));
    return (
      `${relativePath(config, record.fileName)} failed part-way at ${record.recordedAt.toISOString()} (transaction:false) and is recorded as failed` +
      `${record.error ? ` (${record.error})` : ''}${dropHint(still)}`
    );
  });
  throw new MigrationError(`${parts.join('; ')}; rb upgrade refuses until that is resolved: ${RESOLVE_FAILED_HINT}`);
}
