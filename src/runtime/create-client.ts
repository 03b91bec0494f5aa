import postgres from 'postgres';
import { defaultDatabaseUrl, findProjectRoot, projectSchemas } from './default-connection.ts';
import { postgresTypes, searchPath } from './type-choices.ts';

export type PostgresOptions = Omit<postgres.Options<{}>, 'types'>;

export interface ClientOptions extends PostgresOptions {
  /** Application schemas, first one leads the search_path (default: package.json "rb.schemas", else ['app'], as rb). */
  schemas?: string[];
  /** The app's project root (default: found by walking up from the working directory, as `rb` does). */
  projectDir?: string;
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
 * and search_path = <schemas>, public so unqualified table names resolve as they did at
 * generation. Without a URL: DATABASE_URL, else (outside NODE_ENV=production) the project's .env,
 * else the local PostgreSQL rb runs for the project (default-connection.ts). Schemas default to
 * the project's package.json "rb.schemas", as for `rb`.
 */
export function createClient(url?: string, options: ClientOptions = {}): postgres.Sql {
  const { schemas, projectDir, connection, ...rest } = options;
  let root = projectDir;
  const project = () => (root ??= findProjectRoot());
  const target = url || defaultDatabaseUrl(project());
  const searchSchemas = schemas ?? projectSchemas(project());
  return postgresWithTypeChoices(target, { ...rest, connection: { search_path: searchPath(searchSchemas), ...connection } });
}
