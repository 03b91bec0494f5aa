import { readFileSync } from 'node:fs';
import { relativeToProject, type Config } from '../config.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';
import { compareVersions } from './migration-directory.ts';

/**
 * How db/schema.sql differs from the database in the migrations it records. dbmate ends its dump
 * with `INSERT INTO public.schema_migrations (version) VALUES ('...'), ...;`, so comparing those
 * versions with the applied ones (which rb reads anyway) tells, with no pg_dump and no extra
 * connection, whether the file was written after the last migration. It was not when an rb was
 * killed while its dbmate ran: the orphaned dbmate finishes the migration and nothing writes the file.
 */
export interface SchemaFileLag {
  /** The file does not exist. */
  absent: boolean;
  /** Applied to the database, not recorded in the file. */
  missing: string[];
  /** Recorded in the file, not applied to the database (rolled back since). */
  extra: string[];
}

/** The versions at the end of a dbmate dump (none when it has no INSERT INTO public.schema_migrations). */
export function schemaFileVersions(text: string): string[] {
  const start = text.lastIndexOf(`INSERT INTO ${qualified(DBMATE_TABLE)} (version) VALUES`);
  if (start < 0) return [];
  const end = text.indexOf(';', start);
  const values = text.slice(start, end < 0 ? undefined : end);
  return [...values.matchAll(/\('([^']*)'\)/g)].map((m) => m[1]);
}

/** undefined when db/schema.sql records exactly the applied versions (none, when it is absent). */
export function schemaFileLag(config: Config, applied: Iterable<string>): SchemaFileLag | undefined {
  let text: string | undefined;
  try {
    text = readFileSync(config.schemaFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const inDatabase = new Set(applied);
  const inFile = new Set(text === undefined ? [] : schemaFileVersions(text));
  const missing = [...inDatabase].filter((v) => !inFile.has(v)).sort(compareVersions);
  const extra = [...inFile].filter((v) => !inDatabase.has(v)).sort(compareVersions);
  if (missing.length === 0 && extra.length === 0) return undefined;
  return { absent: text === undefined, missing, extra };
}

/** "Wrote db/schema.sql: it did not match the migrations applied to this database (missing 2024...)" */
export function describeSchemaFileRewrite(config: Config, lag: SchemaFileLag): string {
  const file = relativeToProject(config, config.schemaFile);
  if (lag.absent) return `Wrote ${file}: it did not exist`;
  const parts = [
    ...(lag.missing.length ? [`missing ${lag.missing.join(', ')}`] : []),
    ...(lag.extra.length ? [`listing ${lag.extra.join(', ')}, no longer applied`] : []),
  ];
  return `Wrote ${file}: it did not match the migrations applied to this database (${parts.join('; ')}); an earlier rb stopped before writing it`;
}
