import { performance } from 'node:perf_hooks';
import { asConnectionError, connect, type Sql } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { InterruptedError, MigrationError, RbError, RefusedError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { runBatch, type LockRetry } from '../migrations/apply-migration.ts';
import { dbmateSessionName } from '../migrations/dbmate.ts';
import { readMigrations } from '../migrations/migration-directory.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';
import { migrationSessions } from '../migrations/migration-sessions.ts';
import type { TimeoutSettings } from '../migrations/migration-timeouts.ts';
import { describeFailure } from '../migrations/run-migrations.ts';
import { upgrade } from '../migrations/upgrade.ts';
import { countRows } from '../restore/load-data.ts';
import type { EndedSession } from '../restore/swap-database.ts';
import type { Leftover } from '../restore/work-database.ts';
import { describeUrl, parseDatabaseUrl } from '../target/database-url.ts';
import { identifyTarget, type Target } from '../target/resolve-target.ts';
import { copyLocalDatabase, type DatabaseCopy } from './database-copy.ts';
import { startLockSampler, type ObservedLock } from './lock-sampler.ts';
import { traceLocks, type TracedLock } from './lock-trace.ts';
import { readTableStates, tableName, type TableState } from './relation-states.ts';
import { lockStrength } from '../lock-modes.ts';

/** A lock a migration held on an application table that existed before it ran. */
export interface LockReport {
  table: string;
  mode: string;
  /** How long sampling saw it held; null: too briefly to be sampled (the trace saw it). */
  heldSeconds: number | null;
  /** The line of the statement that took it (transactional sections, from the trace). */
  line?: number;
}

/** An application table a migration locked, rewrote, changed rows of, created or dropped. */
export interface TableReport {
  table: string;
  change: 'created' | 'dropped' | 'rewritten' | 'rows changed' | 'locked only';
  /** Rewritten: the rows written again (the table's row count afterwards). */
  rewrittenRows?: number;
  inserted: number;
  updated: number;
  deleted: number;
  /** pg_total_relation_size before (null: created) and after (null: dropped). */
  bytesBefore: number | null;
  bytesAfter: number | null;
}

export interface MigrationAnalysis {
  fileName: string;
  /** Wall time of its dbmate run (dbmate's start, ~50 ms, included). */
  seconds: number;
  locks: LockReport[];
  tables: TableReport[];
  /** It failed on the copy: file:line: message (SQLSTATE). */
  failure?: string;
}

export interface AnalyzeResult {
  /** The local database (user@host:port/database). */
  database: string;
  /** Pending migrations older than the newest applied one (a parallel branch): analyzed like the others. */
  outOfOrder: string[];
  copy: string;
  copySeconds: number;
  endedSessions: EndedSession[];
  /** Copies and restore work databases of runs that were killed, dropped first. */
  droppedLeftovers: Leftover[];
  migrations: MigrationAnalysis[];
  /** Pending migrations not run because an earlier one failed on the copy. */
  notRun: string[];
}

export interface AnalyzeOptions {
  timeouts: TimeoutSettings;
  /** As for rb upgrade: go ahead although applied files were edited / older files are pending. */
  allowEdited?: boolean;
  allowOutOfOrder?: boolean;
  /** Ctrl-C / SIGTERM: the migration's dbmate ends, the copy is dropped, InterruptedError. */
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  onRetry?: (retry: LockRetry) => void;
}

/**
 * The analysis copies a database and never runs on production: refuse a target that is
 * production's database however it was reached, or that rb cannot tell apart from it.
 */
async function refuseProduction(target: Target): Promise<void> {
  await identifyTarget(target);
  const where = `${target.source} (${describeUrl(target.url)})`;
  if (target.isProduction) {
    throw new RefusedError(
      `${where} is production's database (${target.identity?.reason ?? 'PROD_DATABASE_URL'}); rb upgrade --dry-run --analyze copies the local database and never touches production: ` +
        `point ${target.source} at a local database, or unset it to use the embedded server`,
    );
  }
  if (target.identity?.basis === 'address') {
    throw new RefusedError(
      `cannot tell whether ${where} is production's database: PROD_DATABASE_URL did not answer (${target.identity.unreachable}); --analyze copies only a database it can tell apart from production: ` +
        'make PROD_DATABASE_URL reachable, or leave it empty for this command (PROD_DATABASE_URL= rb upgrade --dry-run --analyze)',
    );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to 2 s) until a session has ended: its backend has then flushed its row counters. */
async function waitForSessionEnd(sql: Sql, applicationName: string): Promise<void> {
  for (let waited = 0; waited < 2000; waited += 10) {
    if ((await migrationSessions(sql, applicationName)).length === 0) return;
    await sleep(10);
  }
}

async function describeTables(sql: Sql, before: Map<number, TableState>, after: Map<number, TableState>, locked: Set<number>): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  const rewritten: TableState[] = [];
  for (const oid of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(oid);
    const a = after.get(oid);
    const rows = { inserted: (a?.inserted ?? 0) - (b?.inserted ?? 0), updated: (a?.updated ?? 0) - (b?.updated ?? 0), deleted: (a?.deleted ?? 0) - (b?.deleted ?? 0) };
    let change: TableReport['change'];
    if (!b) change = 'created';
    else if (!a) change = 'dropped';
    else if (a.filenode !== b.filenode) change = 'rewritten';
    else if (rows.inserted || rows.updated || rows.deleted) change = 'rows changed';
    else if (locked.has(oid)) change = 'locked only';
    else continue;
    if (change === 'rewritten') rewritten.push(a!);
    reports.push({ table: tableName((a ?? b)!), change, ...rows, bytesBefore: b?.bytes ?? null, bytesAfter: a?.bytes ?? null });
  }
  const counts = await countRows(sql, rewritten);
  for (const report of reports) if (report.change === 'rewritten') report.rewrittenRows = counts.get(report.table);
  return reports.sort((x, y) => (x.table < y.table ? -1 : x.table > y.table ? 1 : 0));
}

/**
 * The locks on tables that existed before the migration (one it creates blocks nobody), from the
 * trace and the samples, strongest first. A weaker lock held no longer than a stronger one on the
 * same table says nothing more (the ShareLock an index rebuild takes under ALTER TABLE's
 * AccessExclusiveLock): left out.
 */
function describeLocks(sampled: ObservedLock[], traced: TracedLock[], before: Map<number, TableState>): LockReport[] {
  const reports = new Map<string, LockReport>();
  for (const lock of [...traced, ...sampled]) {
    const table = before.get(lock.oid);
    if (!table) continue;
    const key = `${lock.oid} ${lock.mode}`;
    const report = reports.get(key) ?? { table: tableName(table), mode: lock.mode, heldSeconds: null };
    if ('line' in lock) report.line = lock.line;
    if ('heldMs' in lock) report.heldSeconds = lock.heldMs / 1000;
    reports.set(key, report);
  }
  const sorted = [...reports.values()].sort(
    (x, y) => lockStrength(y.mode) - lockStrength(x.mode) || (x.table < y.table ? -1 : x.table > y.table ? 1 : 0),
  );
  const longest = new Map<string, number>();
  return sorted.filter((lock) => {
    const held = lock.heldSeconds ?? 0;
    if (held <= (longest.get(lock.table) ?? -1)) return false;
    longest.set(lock.table, held);
    return true;
  });
}

/** Runs one migration on the copy, through the same runner and timeouts as rb upgrade, watching its session. */
async function analyzeOne(sql: Sql, copyUrl: string, file: MigrationFile, config: Config, options: AnalyzeOptions) {
  const before = await readTableStates(sql);
  // transaction:false sections (CREATE INDEX CONCURRENTLY) cannot run in the trace's transaction.
  const traced = file.up.options.transaction === 'false' ? [] : await traceLocks(copyUrl, file.up);
  const sampler = startLockSampler(copyUrl, dbmateSessionName());
  const started = performance.now();
  let outcome;
  let sampled: ObservedLock[];
  try {
    // A transaction:false file may have run part-way: never retried (as rb upgrade).
    const settings = file.up.options.transaction === 'false' ? { ...options.timeouts, lockRetries: 0 } : options.timeouts;
    outcome = await runBatch(copyUrl, [file], 'migrate', settings, { signal: options.signal, onRetry: options.onRetry });
  } finally {
    sampled = await sampler.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  if (outcome.stopped) {
    const signal = options.signal ? stopSignalOf(options.signal) : outcome.stopped.signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    throw new InterruptedError(`stopped (${signal}) while ${file.fileName} ran on the copy`, signal);
  }
  await waitForSessionEnd(sql, dbmateSessionName());
  const after = await readTableStates(sql);
  const analysis: MigrationAnalysis = {
    fileName: file.fileName,
    seconds,
    locks: describeLocks(sampled, traced, before),
    tables: await describeTables(sql, before, after, new Set([...sampled, ...traced].map((l) => l.oid))),
  };
  if (outcome.failure) analysis.failure = describeFailure(outcome.failure.failure, (p) => relativeToProject(config, p));
  return analysis;
}

/**
 * rb upgrade --dry-run --analyze: after rb upgrade's dry run (undefined: nothing pending), copies
 * the local database (CREATE DATABASE ... TEMPLATE), runs the pending migrations there one at a time, and reports per migration its time, the locks its
 * session held on existing tables and for how long, the tables it rewrote (a new relfilenode) or
 * changed rows of, and their sizes before and after. The copy is always dropped; the local
 * database is only read (by the copy).
 */
export async function analyzeUpgrade(config: Config, target: Target, options: AnalyzeOptions): Promise<AnalyzeResult | undefined> {
  await refuseProduction(target);
  // rb upgrade's own checks (malformed files, edited applied files, failed migrations) before anything is copied.
  const plan = await upgrade(config, target, {
    dryRun: true,
    confirm: async () => null, // a dry run asks nothing
    announce: () => {}, // and, never reaching production, announces nothing
    allowEdited: options.allowEdited,
    allowOutOfOrder: options.allowOutOfOrder,
    timeouts: options.timeouts,
  });
  if (plan.applied.length === 0) return undefined;
  const files = readMigrations(config.migrationsDir, plan.applied, config.projectDir);
  const localName = parseDatabaseUrl(target.url).database;
  let copy: DatabaseCopy | undefined;
  try {
    options.onProgress?.(`copying ${localName} to a throwaway database...`);
    copy = await copyLocalDatabase(target.url, localName, { signal: options.signal, onProgress: options.onProgress });
    const result: AnalyzeResult = {
      database: describeUrl(target.url),
      outOfOrder: plan.outOfOrder.map((e) => e.fileName),
      copy: copy.name,
      copySeconds: copy.seconds,
      endedSessions: copy.endedSessions,
      droppedLeftovers: copy.leftovers.dropped,
      migrations: [],
      notRun: [],
    };
    const sql = connect(copy.url, { connection: { application_name: 'rb analyze' } });
    try {
      for (const [index, file] of files.entries()) {
        if (options.signal?.aborted) throw new InterruptedError(`stopped before ${file.fileName}`, stopSignalOf(options.signal));
        options.onProgress?.(`running ${file.fileName} on ${copy.name}...`);
        const analysis = await analyzeOne(sql, copy.url, file, config, options);
        result.migrations.push(analysis);
        if (analysis.failure) {
          result.notRun = files.slice(index + 1).map((f) => f.fileName);
          break;
        }
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
    return result;
  } catch (error) {
    const dropped = copy ? 'the copy was dropped' : 'no copy was left';
    if (error instanceof InterruptedError) {
      throw new InterruptedError(`rb upgrade --dry-run --analyze ${error.message}; ${dropped} and the local database was not changed`, error.signal);
    }
    const failure = asConnectionError(error, target.url);
    const e = failure as { name?: string; code?: string; message?: string };
    // A server error on the copy (disk full, a permission): one line, not a stack trace.
    if (e.name === 'PostgresError') {
      throw new RbError(`rb upgrade --dry-run --analyze failed on ${copy?.name ?? 'the copy'}: ${e.message} (SQLSTATE ${e.code}); ${dropped} and the local database was not changed`);
    }
    throw failure;
  } finally {
    await copy?.drop();
  }
}

/** The error for a migration that failed on the copy (the analysis up to it is printed first). */
export function failedOnCopy(analysis: MigrationAnalysis, notRun: string[]): MigrationError {
  const rest = notRun.length ? `; ${notRun.length} later migration(s) not run` : '';
  return new MigrationError(
    `${analysis.failure}; ${analysis.fileName} fails on a copy of the local database (its data), so rb upgrade would fail the same way${rest}; the local database was not changed`,
  );
}
