import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { ensureLocalServer } from '../local-db/embedded-server.ts';
import { describeUrl, maskUrl, parseDatabaseUrl } from './database-url.ts';
import type { ProductionMatch } from './server-identity.ts';

export type TargetKind = 'embedded' | 'url' | 'prod';

/** The database one command works on. */
export interface Target {
  kind: TargetKind;
  url: string;
  /** Where the URL came from, for messages: "--database-url", "DATABASE_URL", "PROD_DATABASE_URL", "embedded". */
  source: string;
  /**
   * Treat the target as production (guard, no db/schema.sql rewrite, out-of-order refusal...).
   * Final for --prod and the embedded server; for a DATABASE_URL / --database-url target while
   * PROD_DATABASE_URL is set it turns true once identifyTarget finds that it is production's
   * database.
   */
  isProduction: boolean;
  /** Set by identifyTarget: how a URL target compared with PROD_DATABASE_URL. */
  identity?: ProductionMatch;
}

export interface TargetOptions {
  prod?: boolean;
  databaseUrl?: string;
  /** Receives a warning line when identifyTarget could only compare addresses. */
  warn?: (line: string) => void;
}

/** URL targets still to be compared with PROD_DATABASE_URL before they change anything. */
interface PendingIdentity {
  productionUrl: string;
  warn?: (line: string) => void;
  settled?: Promise<void>;
}

const pending = new WeakMap<Target, PendingIdentity>();

/**
 * Picks the database a command works on: --prod reaches PROD_DATABASE_URL; --database-url or
 * DATABASE_URL name a database that may turn out to be production's too (see identifyTarget);
 * with nothing configured the embedded server under .rb/ is started (or reused). Nothing here
 * connects to production: commands that have nothing to change never do.
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
  const [url, source] = options.databaseUrl ? [options.databaseUrl, '--database-url'] : [config.databaseUrl, 'DATABASE_URL'];
  if (url) {
    parseDatabaseUrl(url, source);
    const target: Target = { kind: 'url', url, source, isProduction: false };
    if (config.prodDatabaseUrl) pending.set(target, { productionUrl: config.prodDatabaseUrl, warn: options.warn });
    return target;
  }
  const server = await ensureLocalServer(config.local);
  return { kind: 'embedded', url: server.url, source: 'embedded', isProduction: false };
}

/**
 * Decides whether a DATABASE_URL / --database-url target is production's database, by asking
 * both servers who they are (src/target/server-identity.ts), and marks it production if so.
 * Every path that changes a database calls this before it does (the production guard does);
 * it connects to production once per target, and only for URL targets while PROD_DATABASE_URL
 * is set. When production does not answer, the URLs' addresses, ports and database names decide,
 * with a warning when they say "not production".
 */
export async function identifyTarget(target: Target): Promise<Target> {
  const state = pending.get(target);
  if (!state) return target;
  state.settled ??= (async () => {
    parseDatabaseUrl(state.productionUrl, 'PROD_DATABASE_URL');
    const { matchProduction } = await import('./server-identity.ts');
    const match = await matchProduction(target.url, state.productionUrl);
    target.identity = match;
    if (match.isProduction) target.isProduction = true;
    else if (match.basis === 'address') {
      state.warn?.(
        `warning: PROD_DATABASE_URL (${maskUrl(state.productionUrl)}) did not answer (${match.unreachable}), so rb could not ask whether ${target.source} (${describeUrl(target.url)}) is production's database; going by address, port and database name it is not, so it is not treated as production`,
      );
    }
  })();
  await state.settled;
  return target;
}
