import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { RbError, RefusedError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { dumpProduction } from '../restore/dump-production.ts';
import { restoreDump, type RestoreSummary } from '../restore/restore-dump.ts';
import { assertLocalTarget, type RestoreOptions } from '../restore/restore-plan.ts';
import { resolveTarget } from '../target/resolve-target.ts';
import { relativeToProject, targetLabel, type TargetFlags } from './common.ts';

export interface RestoreFlags extends TargetFlags {
  /** cac gives a string for one flag, an array for several. */
  excludeTableData?: string | string[];
  jobs?: string | number;
  /** false with --no-pending. */
  pending?: boolean;
  keepDump?: boolean;
}

export function restoreOptions(flags: RestoreFlags, io: Io): RestoreOptions {
  const patterns = flags.excludeTableData === undefined ? [] : [flags.excludeTableData].flat().map(String);
  if (patterns.some((p) => !p.trim())) throw new UsageError('--exclude-table-data needs a table pattern, as in --exclude-table-data app.audit_log');
  let jobs = 1;
  if (flags.jobs !== undefined) {
    jobs = Number(flags.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs ${flags.jobs} is not a number of jobs; use a whole number from 1 to 64, such as --jobs 2`);
  }
  return { excludeTableData: patterns, jobs, pending: flags.pending !== false, onProgress: (line) => io.err(`rb: ${line}`) };
}

async function localTarget(flags: RestoreFlags) {
  if (flags.prod) {
    throw new RefusedError('rb restores into the local database only; run it without --prod (the dump is read from PROD_DATABASE_URL or the file you name)');
  }
  const config = loadConfig();
  const target = await resolveTarget(config, { databaseUrl: flags.databaseUrl });
  await assertLocalTarget(target);
  return { config, target };
}

/** The lines printed after a restore: tables with row counts, pending migrations, time per phase. */
export function formatSummary(summary: RestoreSummary, where: string): string[] {
  const width = Math.max(10, ...summary.tables.map((t) => t.table.length));
  const lines = [`Restored ${summary.file} into ${where}`, `production version: ${summary.productionVersion} (schema rebuilt with ${summary.rebuilt.length} migrations)`];
  for (const t of summary.tables) lines.push(`  ${t.table.padEnd(width)}  ${t.excluded ? `data excluded (${t.rows} rows)` : `${t.rows} rows`}`);
  for (const file of summary.pendingApplied) lines.push(`Applied pending: ${file}`);
  for (const file of summary.pendingSkipped) lines.push(`Not applied (--no-pending): ${file}`);
  const loaded = summary.tables.filter((t) => !t.excluded);
  lines.push(`${loaded.length} tables, ${summary.rows} rows; every table's row count equals the dump's; ${summary.sequencesRaised} sequence(s) raised to the highest id`);
  lines.push(`time: ${summary.phases.map((p) => `${p.phase} ${p.seconds.toFixed(2)}s`).join(', ')}; total ${summary.seconds.toFixed(2)}s`);
  return lines;
}

/** rb restore-to-dump <file>: restore an existing custom-format dump into the local database. */
export async function restoreToDumpCommand(file: string, flags: RestoreFlags, io: Io): Promise<void> {
  const options = restoreOptions(flags, io);
  if (flags.keepDump) io.err('rb: --keep-dump has no effect with restore-to-dump: rb never deletes a dump file you name');
  const { config, target } = await localTarget(flags);
  const absolute = path.resolve(file);
  if (existsSync(absolute) && (statSync(absolute).mode & 0o077) !== 0) {
    io.err(`rb: warning: ${file} is readable by other users (mode ${(statSync(absolute).mode & 0o777).toString(8)}) and holds production data; chmod 600 ${file}`);
  }
  const summary = await restoreDump(config, target, absolute, options);
  summary.file = relativeToProject(config, summary.file);
  for (const line of formatSummary(summary, targetLabel(target))) io.out(line);
}

/** rb dump-and-restore: dump PROD_DATABASE_URL under .rb/dumps/, restore it, delete the dump unless --keep-dump. */
export async function dumpAndRestoreCommand(flags: RestoreFlags, io: Io): Promise<void> {
  const options = restoreOptions(flags, io);
  const { config, target } = await localTarget(flags);
  const dump = await dumpProduction(config, { excludeTableData: options.excludeTableData, onProgress: options.onProgress });
  const relative = relativeToProject(config, dump.file);
  io.err(`rb: dumped production at version ${dump.productionVersion} in ${dump.seconds.toFixed(2)}s to ${relative} (mode 0600)`);
  let summary: RestoreSummary;
  try {
    summary = await restoreDump(config, target, dump.file, options);
  } catch (error) {
    if (!(error instanceof RbError)) throw error;
    throw new RbError(`${error.message}; the dump is kept at ${relative} (production data: delete it when done), restore it with rb restore-to-dump ${relative}`, error.exitCode);
  }
  summary.file = relative;
  for (const line of formatSummary(summary, targetLabel(target))) io.out(line);
  if (flags.keepDump) io.out(`Kept ${relative} (production data, mode 0600)`);
  else {
    rmSync(dump.file, { force: true });
    io.out(`Deleted ${relative}`);
  }
}
