import { loadConfig, type Config } from '../config.ts';
import { RefusedError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { resolveTarget, type Target } from '../target/resolve-target.ts';
import { describeUrl } from '../target/database-url.ts';

/** Flags every database command accepts. */
export interface TargetFlags {
  prod?: boolean;
  yes?: boolean;
  databaseUrl?: string;
}

/**
 * --prod, --yes and --database-url are global options (cac lists them on every command); a command
 * that touches no database refuses them rather than leave the user thinking they took effect.
 */
export function refuseTargetFlags(command: string, flags: TargetFlags, what: string): void {
  const given = (['prod', 'yes', 'databaseUrl'] as const).filter((key) => flags[key] !== undefined && flags[key] !== false);
  if (given.length === 0) return;
  const names = given.map((key) => (key === 'databaseUrl' ? '--database-url' : `--${key}`));
  throw new UsageError(`rb ${command} ${what}, so ${names.join(' and ')} ${names.length > 1 ? 'do' : 'does'} not apply; drop ${names.length > 1 ? 'them' : 'it'}`);
}

/** The config and the target; warnings about the target (production did not answer) go to stderr. */
export async function configAndTarget(flags: TargetFlags, io: Pick<Io, 'err'>): Promise<{ config: Config; target: Target }> {
  const config = loadConfig();
  const target = await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err });
  return { config, target };
}

/**
 * rb types and rb check create databases (shadow, scratch) beside their target and run every
 * migration there: a target that is production's database however it was spelled (DATABASE_URL,
 * --database-url) is refused, as --prod is.
 */
export async function refuseProductionServer(target: Target, command: string, what: string): Promise<void> {
  const { identifyTarget } = await import('../target/resolve-target.ts');
  await identifyTarget(target);
  if (!target.isProduction) return;
  throw new RefusedError(
    `refusing to ${what} on production's server: ${target.source} (${describeUrl(target.url)}) is production's database (PROD_DATABASE_URL), and rb ${command} never uses production; ` +
      `point ${target.source} at a local or CI database, or unset it to use the embedded server`,
  );
}

/** "local database rb@127.0.0.1:54329/development" / "PRODUCTION app@db:5432/app" */
export function targetLabel(target: Target): string {
  const where = describeUrl(target.url);
  if (target.isProduction) return target.kind === 'url' ? `PRODUCTION ${where} (through ${target.source})` : `PRODUCTION ${where}`;
  return target.kind === 'embedded' ? `local database ${where}` : `${where} (from ${target.source})`;
}

/**
 * The target in --json output: `database` is user@host:port/name (never a password), `kind`
 * "embedded" | "url" | "prod", `source` where the URL came from, `production` as rb decided it.
 */
export function targetJson(target: Target): { database: string; kind: Target['kind']; source: string; production: boolean } {
  return { database: describeUrl(target.url), kind: target.kind, source: target.source, production: target.isProduction };
}

export { relativeToProject } from '../config.ts';
