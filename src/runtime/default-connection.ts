import { existsSync, readFileSync } from 'node:fs';
import { localConnectionUrl, localServerRecordFile, readLocalServerRecord, recordedServerRuns } from './local-server.ts';
import { findProjectRoot, readDotenv, readRbSettings } from './project.ts';
import { RuntimeError } from './runtime-error.ts';

/** Application schemas when package.json says nothing ("rb": {"schemas": [...]}); the toolkit uses the same. */
export const DEFAULT_SCHEMAS: readonly string[] = ['app'];

/**
 * The schemas of the project's package.json "rb.schemas", or DEFAULT_SCHEMAS. A malformed value
 * is an error here as it is for `rb`, so the app never runs with a search_path rb did not generate for.
 */
export function projectSchemas(projectDir: string): string[] {
  const settings = readRbSettings(projectDir);
  const schemas = typeof settings === 'object' && settings !== null ? (settings as Record<string, unknown>)['schemas'] : undefined;
  if (schemas === undefined) return [...DEFAULT_SCHEMAS];
  if (!Array.isArray(schemas) || schemas.length === 0 || schemas.some((s) => typeof s !== 'string' || !s)) {
    throw new RuntimeError(`${projectDir}/package.json: "rb.schemas" must be a list of schema names such as ["app"]`);
  }
  return schemas as string[];
}

/**
 * The database createClient() uses when it is given no URL:
 * 1. DATABASE_URL from the environment;
 * 2. with NODE_ENV=production, nothing else: an error (production never falls back to a local server);
 * 3. DATABASE_URL from the project's .env (as `rb` reads it, so the app uses the database rb migrated);
 * 4. the local PostgreSQL rb manages for this project (.rb/local-server.json), when it runs.
 */
export function defaultDatabaseUrl(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['DATABASE_URL'];
  if (fromEnv) return fromEnv;
  if (env['NODE_ENV'] === 'production') {
    throw new RuntimeError('createClient needs DATABASE_URL: it is not set, and with NODE_ENV=production rb\'s local server is never used; set DATABASE_URL or pass a URL');
  }
  const fromDotenv = readDotenv(projectDir)['DATABASE_URL'];
  if (fromDotenv) return fromDotenv;
  const file = localServerRecordFile(projectDir);
  const record = readLocalServerRecord(file);
  if (!record) {
    throw new RuntimeError(
      `createClient needs a database: DATABASE_URL is not set and rb's local PostgreSQL for ${projectDir} is not running; start it with \`npx rb db start\` (rb upgrade starts it too), or set DATABASE_URL`,
    );
  }
  if (!recordedServerRuns(record)) {
    throw new RuntimeError(`rb's local PostgreSQL for ${projectDir} is not running (it was on port ${record.port}); start it with \`npx rb db start\`, or set DATABASE_URL`);
  }
  if (!existsSync(record.passwordFile)) {
    throw new RuntimeError(`rb's local PostgreSQL password file ${record.passwordFile} is missing; run \`npx rb db start\` again, or set DATABASE_URL`);
  }
  return localConnectionUrl(record.port, record.database, readFileSync(record.passwordFile, 'utf8').trim(), record.host);
}

export { findProjectRoot };
