import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { ensureLocalServer } from '../local-db/embedded-server.ts';
import { parseDatabaseUrl } from './database-url.ts';

export type TargetKind = 'embedded' | 'url' | 'prod';

/** The database one command works on. */
export interface Target {
  kind: TargetKind;
  url: string;
  /** Where the URL came from, for messages: "--database-url", "DATABASE_URL", "PROD_DATABASE_URL", "embedded". */
  source: string;
  isProduction: boolean;
}

export interface TargetOptions {
  prod?: boolean;
  databaseUrl?: string;
}

/**
 * Picks the database a command works on. Only `--prod` reaches PROD_DATABASE_URL; with
 * nothing configured the embedded server under .rb/ is started (or reused).
 */
export async function resolveTarget(config: Config, options: TargetOptions): Promise<Target> {
  if (options.prod) {
    if (options.databaseUrl) {
      throw new UsageError('--prod and --database-url cannot be combined: --prod always uses PROD_DATABASE_URL');
    }
    if (!config.prodDatabaseUrl) {
      throw new UsageError('--prod needs PROD_DATABASE_URL: set it in the environment or in .env (postgres://user@host:5432/database)');
    }
    parseDatabaseUrl(config.prodDatabaseUrl, 'PROD_DATABASE_URL');
    return { kind: 'prod', url: config.prodDatabaseUrl, source: 'PROD_DATABASE_URL', isProduction: true };
  }
  if (options.databaseUrl) {
    parseDatabaseUrl(options.databaseUrl, '--database-url');
    return { kind: 'url', url: options.databaseUrl, source: '--database-url', isProduction: false };
  }
  if (config.databaseUrl) {
    parseDatabaseUrl(config.databaseUrl, 'DATABASE_URL');
    return { kind: 'url', url: config.databaseUrl, source: 'DATABASE_URL', isProduction: false };
  }
  const server = await ensureLocalServer(config.local);
  return { kind: 'embedded', url: server.url, source: 'embedded', isProduction: false };
}
