import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { withClient } from '../client.ts';
import type { Config } from '../config.ts';
import { RbError, RefusedError, UsageError } from '../errors.ts';
import { readAppliedVersions } from '../migrations/applied-versions.ts';
import { compareVersions } from '../migrations/migration-directory.ts';
import { describeUrl } from '../target/database-url.ts';
import { DBMATE_TABLE, qualified } from '../rb-tables.ts';
import { readArchiveToc } from './archive-toc.ts';
import { readDumpVersions } from './dump-contents.ts';
import { firstError, libpqTarget, majorOf, runPgTool, toolVersion } from './pg-tools.ts';
import { checkProductionVersions } from './restore-plan.ts';
import { ownerState, runTag } from './run-owner.ts';

export interface DumpOptions {
  excludeTableData?: string[];
  /** --exclude-table patterns: their rows are not dumped either (the restore leaves the tables out). */
  excludeTable?: string[];
  onProgress?: (line: string) => void;
  /** For the file name; tests pin it. */
  now?: Date;
  /** The user keeps the dump (--keep-dump): it gets its kept name at once, never a run's. */
  keep?: boolean;
}

export interface DumpResult {
  file: string;
  productionVersion: string;
  seconds: number;
}

/** Dumps live under .rb/dumps/ (git-ignored with .rb/), readable by their owner only. */
export function dumpsDir(config: Config): string {
  return path.join(config.stateDir, 'dumps');
}

// production_<UTC time>.<host tag>_<pid>.dump.partial while pg_dump writes it (older rb: no tag).
const PARTIAL = /^production_[0-9TZ]+(?:\.([0-9a-f]{6})_(\d+))?\.dump\.partial$/;
// production_<version>_<UTC time>.<host tag>_<pid>.dump: complete, still owned by the run that
// restores it (deleted at its end); a dump that is kept drops the tag (see keepDump).
const OWNED = /^production_\d+_[0-9TZ]+\.([0-9a-f]{6})_(\d+)\.dump$/;

export interface LeftoverDump {
  /** Relative to the project. */
  file: string;
  /** A `.partial` one (pg_dump was writing it), or a complete one the run was restoring. */
  complete: boolean;
}

/**
 * Removes the dumps under .rb/dumps/ that a killed dump-and-restore left (production data): the
 * `.partial` ones and the complete ones still named after their run, when that run is gone (a
 * `.partial` that carries no run was written by an rb before the tag). Kept dumps (--keep-dump,
 * or after a failed restore) carry no run and stay, and so does `spare` (the file
 * restore-to-dump was given). Returns what it removed.
 */
export function removeLeftoverDumps(config: Config, spare?: string): LeftoverDump[] {
  const dir = dumpsDir(config);
  if (!existsSync(dir)) return [];
  const removed: LeftoverDump[] = [];
  for (const name of readdirSync(dir)) {
    const partial = PARTIAL.exec(name);
    const owned = partial ? undefined : OWNED.exec(name);
    if (!partial && !owned) continue;
    const [, hostTag, pid] = (partial ?? owned)!;
    if (hostTag && ownerState({ hostTag, pid: Number(pid) }) !== 'gone') continue;
    const file = path.join(dir, name);
    if (spare && path.resolve(spare) === file) continue;
    rmSync(file, { force: true });
    removed.push({ file: path.join(path.relative(config.projectDir, dir), name), complete: Boolean(owned) });
  }
  return removed;
}

/**
 * Gives a dump this run owns (named after it) the name of a kept dump, so no later run removes
 * it: after a failed or stopped restore the user decides. Returns its new path.
 */
export function keepDump(file: string): string {
  const kept = file.replace(/\.[0-9a-f]{6}_\d+\.dump$/, '.dump');
  if (kept !== file) renameSync(file, kept);
  return kept;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * pg_dump refuses a server of a newer major: say so before it runs, with both versions.
 * `what` names the server; `untouched` says what stayed as it was.
 */
export async function checkDumpTool(serverVersion: string, what = 'the production server', untouched = 'the local database was not touched'): Promise<void> {
  const dump = await toolVersion('pg_dump');
  const server = majorOf(serverVersion);
  if (dump.major < server) {
    throw new RefusedError(
      `pg_dump ${dump.version} is older than ${what} (PostgreSQL ${serverVersion}) and cannot dump it; ` +
        `install the PostgreSQL ${server} client tools (Debian: apt-get install postgresql-client-${server} from apt.postgresql.org) and put them first in PATH; ${untouched}`,
    );
  }
}

/**
 * Dumps PROD_DATABASE_URL (custom format, read-only for production) to
 * .rb/dumps/production_<version>_<UTC timestamp>.<host tag>_<pid>.dump with mode 0600 (without
 * the run's tag when `keep`). Refuses before dumping when pg_dump is too old or production has
 * migrations this checkout lacks.
 */
export async function dumpProduction(config: Config, options: DumpOptions = {}): Promise<DumpResult> {
  const url = config.prodDatabaseUrl;
  if (!url) throw new UsageError('rb dump-and-restore needs PROD_DATABASE_URL: set it in the environment or in .env (postgres://user:password@host:5432/database)');
  const started = performance.now();
  const { serverVersion, versions } = await withClient(url, async (sql) => {
    const [row] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;
    return { serverVersion: row.v, versions: await readAppliedVersions(sql) };
  });
  await checkDumpTool(serverVersion);
  // Fail fast: the same check runs again on the dump itself.
  checkProductionVersions(config, versions);

  const dir = dumpsDir(config);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = stamp(options.now ?? new Date());
  const partial = path.join(dir, `production_${now}.${runTag()}.dump.partial`);
  // Created 0600 before pg_dump writes a byte of production data into it.
  closeSync(openSync(partial, 'w', 0o600));
  chmodSync(partial, 0o600);
  options.onProgress?.(`dump: pg_dump of PRODUCTION ${describeUrl(url)} (read only) to ${path.relative(config.projectDir, partial)}`);
  const libpq = libpqTarget(url);
  const args = ['--format=custom', '--file', partial, '--dbname', libpq.url];
  // Excluded whole or data only, pg_dump writes no rows; the table's entry stays so the restore
  // can check the pattern and leave the table (and its sequence's value) out.
  for (const pattern of [...(options.excludeTableData ?? []), ...(options.excludeTable ?? [])]) args.push('--exclude-table-data', pattern);
  try {
    const result = await runPgTool('pg_dump', args, { env: libpq.env });
    if (!result.ok) throw new RbError(`pg_dump of production failed: ${firstError(result.stderr)}`);
    const toc = await readArchiveToc(partial);
    const dumped = await readDumpVersions(toc);
    if (!dumped?.length) throw new RefusedError(`production (${describeUrl(url)}) has no rows in ${qualified(DBMATE_TABLE)}; it was not migrated with rb/dbmate`);
    const productionVersion = [...dumped].sort(compareVersions).at(-1)!;
    // Until the restore ends, the name says which run owns it: a run killed with kill -9 leaves
    // it behind, and the next restore removes it (removeLeftoverDumps).
    const file = path.join(dir, `production_${productionVersion}_${now}${options.keep ? '' : `.${runTag()}`}.dump`);
    renameSync(partial, file);
    return { file, productionVersion, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
