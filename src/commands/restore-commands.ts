import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { InterruptedError, RbError, RefusedError, UsageError } from '../errors.ts';
import { interruptible, stopSignalOf } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { removeLeftoverScratchDirs } from '../restore/dump-contents.ts';
import { dumpProduction, keepDump, removeLeftoverDumps } from '../restore/dump-production.ts';
import { restoreDump, type EndedSession, type RestoreSummary } from '../restore/restore-dump.ts';
import { assertLocalTarget, type RestoreOptions } from '../restore/restore-plan.ts';
import { resolveTarget } from '../target/resolve-target.ts';
import { relativeToProject, targetLabel, type TargetFlags } from './common.ts';

export interface RestoreFlags extends TargetFlags {
  /** cac gives a string for one flag, an array for several. */
  excludeTableData?: string | string[];
  excludeTable?: string | string[];
  jobs?: string | number;
  /** false with --no-pending. */
  pending?: boolean;
  keepDump?: boolean;
}

function patterns(flag: string, value: string | string[] | undefined, example: string): string[] {
  const list = value === undefined ? [] : [value].flat().map(String);
  if (list.some((p) => !p.trim())) throw new UsageError(`${flag} needs a table pattern, as in ${flag} ${example}`);
  return list;
}

export function restoreOptions(flags: RestoreFlags, io: Io): RestoreOptions {
  const excludeTableData = patterns('--exclude-table-data', flags.excludeTableData, 'app.audit_log');
  const excludeTable = patterns('--exclude-table', flags.excludeTable, 'public.legacy_notes');
  let jobs = 1;
  if (flags.jobs !== undefined) {
    jobs = Number(flags.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError(`--jobs ${flags.jobs} is not a number of jobs; use a whole number from 1 to 64, such as --jobs 2`);
  }
  return { excludeTableData, excludeTable, jobs, pending: flags.pending !== false, onProgress: (line) => io.err(`rb: ${line}`) };
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

function describeSession(s: EndedSession): string {
  const who = [s.application, `${s.user}@${s.client ?? 'local socket'}`].filter(Boolean).join(', ');
  return `pid ${s.pid} (${who})`;
}

/** The lines printed after a restore: tables with row counts, pending migrations, time per phase. */
export function formatSummary(summary: RestoreSummary, where: string): string[] {
  const width = Math.max(10, ...[...summary.tables, ...summary.otherToolTables].map((t) => t.table.length), ...summary.omitted.map((t) => t.length));
  const lines = [`Restored ${summary.file} into ${where}`, `production version: ${summary.productionVersion} (schema rebuilt with ${summary.rebuilt.length} migrations)`];
  for (const t of summary.tables) lines.push(`  ${t.table.padEnd(width)}  ${t.excluded ? `data excluded (${t.rows} rows)` : `${t.rows} rows`}`);
  for (const t of summary.omitted) lines.push(`  ${t.padEnd(width)}  left out (--exclude-table)`);
  for (const t of summary.otherToolTables) lines.push(`  ${t.table.padEnd(width)}  left out (${t.tool}'s tracking table)`);
  for (const file of summary.pendingApplied) lines.push(`Applied pending: ${file}`);
  for (const file of summary.pendingSkipped) lines.push(`Not applied (--no-pending): ${file}`);
  const loaded = summary.tables.filter((t) => !t.excluded);
  lines.push(`${loaded.length} tables, ${summary.rows} rows; every table's row count equals the dump's; ${summary.sequencesRaised} sequence(s) raised to the highest id`);
  const objects = summary.largeObjects;
  if (objects) {
    const grants = objects.grantsLeftOut ? `; production's grants on large objects are not restored (${objects.grantsLeftOut} in the dump), as for tables` : '';
    lines.push(`${objects.count} large object(s), as many as the dump's; owned by ${objects.owner}, as the tables${grants}`);
  }
  const ended = summary.endedSessions;
  if (ended.length) {
    lines.push(`Ended ${ended.length} session(s) on ${summary.database} to swap the restored database in: ${ended.map(describeSession).join('; ')}`);
  }
  if (summary.replacedDropFailure) {
    lines.push(`Warning: the previous ${summary.database} (now named ${summary.replacedDatabase}) could not be dropped (${summary.replacedDropFailure}); the next restore drops it`);
  }
  lines.push(`time: ${summary.phases.map((p) => `${p.phase} ${p.seconds.toFixed(2)}s`).join(', ')}; total ${summary.seconds.toFixed(2)}s`);
  return lines;
}

/**
 * What killed runs left on this machine: dumps (named), list files in the temporary directory.
 * `spare`: the dump restore-to-dump was given, which is never removed.
 */
function removeLeftovers(config: Config, io: Io, spare?: string): void {
  for (const dump of removeLeftoverDumps(config, spare)) {
    io.err(`rb: removed ${dump.file}, a ${dump.complete ? 'complete' : 'partial'} dump (production data) left by an earlier run that was killed`);
  }
  removeLeftoverScratchDirs();
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
  removeLeftovers(config, io, absolute);
  // Ctrl-C / SIGTERM (src/interrupt.ts): pg_restore ends with rb, the restore drops its work database and says where it stopped.
  const summary = await interruptible(({ signal }) => restoreDump(config, target, absolute, { ...options, signal }));
  summary.file = relativeToProject(config, summary.file);
  for (const line of formatSummary(summary, targetLabel(target))) io.out(line);
}

/** rb dump-and-restore: dump PROD_DATABASE_URL under .rb/dumps/, restore it, delete the dump unless --keep-dump. */
export async function dumpAndRestoreCommand(flags: RestoreFlags, io: Io): Promise<void> {
  const options = restoreOptions(flags, io);
  const { config, target } = await localTarget(flags);
  removeLeftovers(config, io);
  const summary = await interruptible(async ({ signal }) => {
    let dump;
    try {
      dump = await dumpProduction(config, {
        excludeTableData: options.excludeTableData, excludeTable: options.excludeTable, onProgress: options.onProgress, keep: flags.keepDump,
      });
    } catch (error) {
      if (!signal.aborted) throw error;
      const stop = stopSignalOf(signal);
      throw new InterruptedError(`dump-and-restore stopped (${stop}) while pg_dump ran; the partial dump was removed and the local database was not touched`, stop);
    }
    const relative = relativeToProject(config, dump.file);
    io.err(`rb: dumped production at version ${dump.productionVersion} in ${dump.seconds.toFixed(2)}s to ${relative} (mode 0600)`);
    try {
      return { ...(await restoreDump(config, target, dump.file, { ...options, signal })), file: relative };
    } catch (error) {
      if (!(error instanceof RbError)) throw error;
      const keptFile = relativeToProject(config, keepDump(dump.file));
      const kept = `the dump is kept at ${keptFile} (production data: delete it when done), restore it with rb restore-to-dump ${keptFile}`;
      if (error instanceof InterruptedError) throw new InterruptedError(`${error.message}; ${kept}`, error.signal);
      throw new RbError(`${error.message}; ${kept}`, error.exitCode);
    }
  });
  for (const line of formatSummary(summary, targetLabel(target))) io.out(line);
  const absolute = path.resolve(config.projectDir, summary.file);
  if (flags.keepDump) io.out(`Kept ${summary.file} (production data, mode 0600)`);
  else {
    rmSync(absolute, { force: true });
    io.out(`Deleted ${summary.file}`);
  }
}
