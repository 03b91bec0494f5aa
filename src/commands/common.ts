import { loadConfig, type Config } from '../config.ts';
import type { Io } from '../io.ts';
import { resolveTarget, type Target } from '../target/resolve-target.ts';
import { describeUrl } from '../target/database-url.ts';

/** Flags every database command accepts. */
export interface TargetFlags {
  prod?: boolean;
  yes?: boolean;
  databaseUrl?: string;
}

/** The config and the target; warnings about the target (production did not answer) go to stderr. */
export async function configAndTarget(flags: TargetFlags, io: Pick<Io, 'err'>): Promise<{ config: Config; target: Target }> {
  const config = loadConfig();
  const target = await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err });
  return { config, target };
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
