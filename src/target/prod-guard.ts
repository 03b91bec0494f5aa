import { RefusedError } from '../errors.ts';
import { maskUrl, parseDatabaseUrl } from './database-url.ts';
import { identifyTarget, type Target } from './resolve-target.ts';

/**
 * Asks a person to confirm. Receives the full summary and the word to type; resolves to what
 * they typed, or null when nobody can answer (no TTY).
 */
export type Confirm = (summary: string, expected: string) => Promise<string | null>;

export interface GuardOptions {
  /** What will happen, one line per action ("apply 20240101000000_add_user.sql"). */
  plan: string[];
  action: string;
  yes?: boolean;
  confirm: Confirm;
  /** Receives the target and the plan when --yes answers for the person (CI logs show what ran where). */
  announce: (summary: string) => void;
}

/** The text shown before anything touches production. */
export function describeProductionTarget(target: Target, action: string, plan: string[]): string {
  const p = parseDatabaseUrl(target.url);
  const lines = [
    `PRODUCTION: ${action}`,
    ...(target.kind === 'url' ? [`  reached:  through ${target.source}: ${target.identity?.reason ?? 'the same database as PROD_DATABASE_URL'}`] : []),
    `  host:     ${p.host}`,
    `  port:     ${p.port}`,
    `  database: ${p.database}`,
    `  user:     ${p.user}`,
    `  url:      ${maskUrl(target.url)}`,
    plan.length ? 'This will:' : 'Nothing to do.',
    ...plan.map((line) => `  - ${line}`),
  ];
  return lines.join('\n');
}

/**
 * Lets a production command go ahead only when the person types the database name, or
 * `--yes` was given. Production is --prod, or a DATABASE_URL / --database-url that names the
 * same database as PROD_DATABASE_URL (identifyTarget asks both servers); other targets pass
 * straight through.
 */
export async function guardProduction(target: Target, options: GuardOptions): Promise<void> {
  await identifyTarget(target);
  if (!target.isProduction) return;
  const { database } = parseDatabaseUrl(target.url);
  const summary = describeProductionTarget(target, options.action, options.plan);
  if (options.yes) {
    options.announce(`${summary}\nConfirmed by --yes.`);
    return;
  }
  const answer = await options.confirm(summary, database);
  if (answer === null) {
    throw new RefusedError(
      `refusing to touch production (${maskUrl(target.url)}${target.kind === 'url' ? `, reached through ${target.source}` : ''}) without a terminal to confirm on; pass --yes to confirm non-interactively`,
    );
  }
  if (answer.trim() !== database) {
    throw new RefusedError(`production not touched: you typed "${answer.trim()}", not the database name "${database}"`);
  }
}
