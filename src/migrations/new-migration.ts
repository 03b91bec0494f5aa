import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { listMigrations } from './migration-directory.ts';

/** "Add my Model!" -> "add_my_model"; words from several arguments are joined. */
export function migrationSlug(words: string[]): string {
  return words
    .join(' ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** UTC yyyymmddhhmmss, dbmate's version format. */
export function utcVersion(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function migrationTemplate(slug: string): string {
  return `-- migrate:up
-- Write the change here. Each section runs in one transaction; add "transaction:false"
-- after the marker for statements that cannot (CREATE INDEX CONCURRENTLY).
-- Example:
--   create table app.${slug.slice(0, 40)} (id bigint generated always as identity primary key);

-- migrate:down
-- Undo exactly what the up section did, in reverse order. Example:
--   drop table app.${slug.slice(0, 40)};

`;
}

export interface NewMigrationResult {
  path: string;
  fileName: string;
  version: string;
}

/** Writes db/migrations/<UTC timestamp>_<slug>.sql; never overwrites. */
export function newMigration(migrationsDir: string, words: string[], now: Date = new Date()): NewMigrationResult {
  const slug = migrationSlug(words);
  if (!slug) {
    const given = words.join(' ');
    throw new UsageError(
      `migration name ${given ? `"${given}" has no letters or digits` : 'is missing'}; use words such as: rb new-migration add my model`,
    );
  }
  if (slug.length > 100) {
    throw new UsageError(`migration name is ${slug.length} characters long; keep it under 100 (it becomes the file name)`);
  }
  let version = utcVersion(now);
  const taken = new Set(listMigrations(migrationsDir).map((m) => m.version));
  // Two migrations in the same second: take the next free second rather than collide.
  while (taken.has(version)) version = utcVersion(new Date(Date.parse(
    `${version.slice(0, 4)}-${version.slice(4, 6)}-${version.slice(6, 8)}T${version.slice(8, 10)}:${version.slice(10, 12)}:${version.slice(12, 14)}Z`,
  ) + 1000));
  const fileName = `${version}_${slug}.sql`;
  const filePath = path.join(migrationsDir, fileName);
  mkdirSync(migrationsDir, { recursive: true });
  try {
    writeFileSync(filePath, migrationTemplate(slug), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${filePath} already exists; rb never overwrites a migration, pick another name`);
    }
    throw error;
  }
  return { path: filePath, fileName, version };
}
