import { loadConfig, type Config } from '../config.ts';
import { resolveTarget, type Target } from '../target/resolve-target.ts';
import { describeUrl } from '../target/database-url.ts';

/** Flags every database command accepts. */
export interface TargetFlags {
  prod?: boolean;
  yes?: boolean;
  databaseUrl?: string;
}

export async function configAndTarget(flags: TargetFlags): Promise<{ config: Config; target: Target }> {
  const config = loadConfig();
  const target = await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl });
  return { config, target };
}

/** "local database rb@127.0.0.1:54329/development" / "PRODUCTION app@db:5432/app" */
export function targetLabel(target: Target): string {
  const where = describeUrl(target.url);
  if (target.isProduction) return `PRODUCTION ${where}`;
  return target.kind === 'embedded' ? `local database ${where}` : `${where} (from ${target.source})`;
}

export { relativeToProject } from '../config.ts';
