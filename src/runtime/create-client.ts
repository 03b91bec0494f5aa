import postgres from 'postgres';
import { RuntimeError } from './runtime-error.ts';
import { postgresTypes, searchPath } from './type-choices.ts';

export type PostgresOptions = Omit<postgres.Options<{}>, 'types'>;

export interface ClientOptions extends PostgresOptions {
  /** Application schemas, first one leads the search_path (default ['app'], as rb's config). */
  schemas?: string[];
}

/**
 * A postgres.js client with rb's type choices (type-choices.ts, the same ones `rb types`
 * writes into queries/*.queries.ts). Every client rb hands to user code is built here:
 * createClient for applications, and the connection of `rb run-script` for backfill scripts, so a
 * `date` is the same string and a `point` the same [x, y] wherever a query runs.
 */
export function postgresWithTypeChoices(url: string, options: PostgresOptions = {}): postgres.Sql {
  const sql = postgres(url, { ...options, types: postgresTypes });
  // The custom types only change parsers; the generic type parameter is irrelevant to callers.
  return sql as unknown as postgres.Sql;
}

/**
 * The postgres.js client application code uses with the generated queries: rb's type choices
 * and search_path = app, public so unqualified table names resolve as they did at generation.
 * The URL defaults to DATABASE_URL.
 */
export function createClient(url: string | undefined = process.env['DATABASE_URL'], options: ClientOptions = {}): postgres.Sql {
  if (!url) {
    throw new RuntimeError('createClient needs a database URL: pass one or set DATABASE_URL (postgres://user:password@host:5432/database)');
  }
  const { schemas = ['app'], connection, ...rest } = options;
  return postgresWithTypeChoices(url, { ...rest, connection: { search_path: searchPath(schemas), ...connection } });
}
