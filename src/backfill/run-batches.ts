import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import { asConnectionError, connectionLossReason } from '../client.ts';
import { ConnectionError, MigrationError, RbError } from '../errors.ts';
import { maskUrl } from '../target/database-url.ts';
import { db } from '@rbsql/runtime';
import type { BatchedBackfill, BatchResult } from '@rbsql/runtime';
import { DEFAULT_BATCH_SIZE } from './batch-settings.ts';
import {
  advanceCheckpoint, checkpointTableExists, deleteCheckpoint, ensureCheckpointTable, finishCheckpoint,
  readCheckpoint, startCheckpoint, type Checkpoint,
} from './checkpoint.ts';
import { checkTableAndKey, nextKeyRange, quoteQualified, remainingRows, type KeyRange } from './key-range.ts';
import { formatCount } from './progress.ts';
import { describeScriptError, scriptLocation } from './script-location.ts';
import { watchConnectionLoss, type LossWatch } from './connection-loss.ts';
import { refusingProcessExit, type ExitGuard } from './process-exit-guard.ts';
import { ScriptFailure, type ScriptRunOptions } from './run-single.ts';
import { applyBatchDefaults, backendPid, openScriptClient, tableChangeCount, transactionChanges, type TableChange } from './session.ts';
import { stopServerWorkOn } from './stop-server-work.ts';
import { describeScriptSessions, otherRunSessions, waitForKilledRuns } from './earlier-runs.ts';

/** SQLSTATEs a batch is retried on (after these waits), with how they are named in the warning. */
const RETRYABLE: Record<string, string> = { '55P03': 'lock_timeout', '40P01': 'a deadlock', '40001': 'a serialization failure' };
const RETRY_DELAYS_MS = [500, 1000, 2000];

export interface BatchRunOptions extends ScriptRunOptions {
  /** Overrides of the script's own settings (command-line flags). */
  batchSize?: number;
  pauseMs?: number;
  /** Forget the job's checkpoint and start from the first key. */
  restart?: boolean;
  /** Aborting stops the run after the current batch (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Aborting (a second signal) cancels the batch in flight on the server and rolls it back. */
  now?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Called once before the first batch of a real (not dry) run. */
  onStart?: (start: { job: string; resumedFrom: Checkpoint | null; rowsTotal: number; totalIsEstimate: boolean; batchSize: number }) => void;
}

export interface BatchProgress {
  job: string;
  /** Batches committed by this run. */
  batches: number;
  /** Rows walked, including those of earlier runs of the job. */
  rowsDone: number;
  rowsTotal: number;
  totalIsEstimate: boolean;
  /** Rows the batches reported changing, this run. */
  rowsChanged: number;
  /** Rows walked by this run and the time it took (for the rate). */
  rowsThisRun: number;
  elapsedMs: number;
  slowestBatchMs: number;
  lastKey: string | null;
}

export type BatchRunResult =
  | { outcome: 'finished'; job: string; resumedFrom: Checkpoint | null; progress: BatchProgress }
  /** `cancelled`: the batch in flight when `now` aborted, cancelled and rolled back. */
  | { outcome: 'stopped'; job: string; resumedFrom: Checkpoint | null; progress: BatchProgress; cancelled: KeyRange | null }
  | { outcome: 'already-finished'; job: string; checkpoint: Checkpoint }
  | { outcome: 'dry-run'; job: string; range: KeyRange | null; changed: number; changes: TableChange[]; resumedFrom: Checkpoint | null; rowsLeft: number };

/** Thrown inside sql.begin to roll a dry run back. */
const DRY_RUN = Symbol('dry run rollback');
/** Thrown inside sql.begin when another session holds the job's checkpoint row past lock_timeout. */
const CHECKPOINT_LOCKED = Symbol('checkpoint row locked');

export function jobName(spec: BatchedBackfill, file: string): string {
  return spec.job ?? path.basename(file).replace(/\.[cm]?[tj]s$/, '');
}

function changedCount(result: BatchResult): number | undefined {
  if (typeof result === 'number') return result;
  if (result && typeof result === 'object' && typeof result.count === 'number') return result.count;
  return undefined;
}

/** A transaction body that reports a lost connection to `loss` before sql.begin tries its ROLLBACK. */
function noting<T>(loss: LossWatch, body: (tx: postgres.TransactionSql) => Promise<T>): (tx: postgres.TransactionSql) => Promise<T> {
  return async (tx) => {
    try {
      return await body(tx);
    } catch (error) {
      loss.note(error instanceof ScriptFailure ? error.cause : error);
      throw error;
    }
  };
}

function startProgress(job: string, start: Checkpoint | null, left: { rows: number; estimate: boolean }): BatchProgress {
  const done = start?.rowsDone ?? 0;
  return {
    job, batches: 0, rowsDone: done, rowsTotal: done + left.rows, totalIsEstimate: left.estimate,
    rowsChanged: 0, rowsThisRun: 0, elapsedMs: 0, slowestBatchMs: 0, lastKey: start?.lastKey ?? null,
  };
}

/**
 * Runs a batched backfill: batches of `batchSize` existing keys, each in its own transaction
 * that also advances the job's checkpoint. Stops after the current batch when `signal` aborts.
 */
export function runBatches(url: string, spec: BatchedBackfill, options: BatchRunOptions): Promise<BatchRunResult> {
  return refusingProcessExit((exits) => watchConnectionLoss((loss) => runOn(url, spec, options, exits, loss)));
}

async function runOn(url: string, spec: BatchedBackfill, options: BatchRunOptions, exits: ExitGuard, loss: LossWatch): Promise<BatchRunResult> {
  const sql = openScriptClient(url, options.searchPath, options.shown);
  try {
    return await walk(url, sql, spec, options, exits, loss);
  } catch (error) {
    if (error instanceof RbError) throw error;
    const refused = asConnectionError(error, url);
    if (refused !== error) throw refused;
    const lost = connectionLossReason(error);
    if (lost) throw new ConnectionError(`lost the connection to ${maskUrl(url)}: ${lost}; every committed batch is in the checkpoint: run the same command again to resume`);
    throw error;
  } finally {
    // After a lost connection there is nothing to wait for (and postgres.js may never settle it).
    await sql.end({ timeout: loss.error === undefined ? 5 : 0 });
  }
}

/** The settings were checked when the script was loaded (checkBatchedSettings). */
async function walk(
  url: string, sql: postgres.Sql, spec: BatchedBackfill, options: BatchRunOptions, exits: ExitGuard, loss: LossWatch,
): Promise<BatchRunResult> {
  const job = jobName(spec, options.file);
  const key = spec.key ?? 'id';
  const batchSize = options.batchSize ?? spec.batchSize ?? DEFAULT_BATCH_SIZE;
  const pauseMs = options.pauseMs ?? spec.pauseMs ?? 0;
  await checkTableAndKey(sql, spec.table, key, options.shown);
  // A killed run's batch may still hold its row locks (and the checkpoint's): say so and wait for it.
  await waitForKilledRuns(sql, options.shown, { onWait: options.onKilledRun, signal: options.signal });

  const quotedTable = quoteQualified(spec.table);
  /** Runs the script's batch; returns the rows it changed (its own count, else the walked table's). */
  const runBatch = async (tx: postgres.TransactionSql, range: KeyRange, batch: number, before: number): Promise<number> => {
    let result: BatchResult;
    try {
      const context = { sql: tx, db: db(tx), log: options.log, args: options.args, dryRun: options.dryRun };
      result = await spec.batch({ ...context, from: range.from, to: range.to, batch });
      if (exits.call) throw exits.call; // the script caught the throw
    } catch (error) {
      throw new ScriptFailure(error);
    }
    const reported = changedCount(result);
    if (reported !== undefined) return reported;
    // The batch returned nothing (e.g. a pgtyped query's run()): count what it changed in the table.
    return (await tableChangeCount(tx, quotedTable)) - before;
  };
  const failure = (error: ScriptFailure, range: KeyRange, committedNote: string): MigrationError => {
    const where = scriptLocation(error.cause, options.file);
    return new MigrationError(
      `${options.shown}${where ? `:${where.line}` : ''}: ${describeScriptError(error.cause)}; the batch of keys ${range.from}..${range.to} was rolled back${committedNote}`,
    );
  };

  if (options.dryRun) {
    const existing = (await checkpointTableExists(sql)) ? await readCheckpoint(sql, job) : null;
    if (existing?.finishedAt && !options.restart) return { outcome: 'already-finished', job, checkpoint: existing };
    const resumedFrom = options.restart ? null : existing;
    const after = resumedFrom?.lastKey ?? null;
    const left = await remainingRows(sql, spec.table, key, after, resumedFrom?.rowsDone ?? 0);
    let range: KeyRange | null = null;
    let changed = 0;
    let changes: TableChange[] = [];
    let pid: number | undefined;
    try {
      const work = sql.begin(noting(loss, async (tx) => {
        // Pipelined: postgres.js sends these together and the server runs them in order.
        const [, p, baseline, before, next] = await Promise.all([
          applyBatchDefaults(tx), backendPid(tx), transactionChanges(tx), tableChangeCount(tx, quotedTable), nextKeyRange(tx, spec.table, key, after, batchSize),
        ]);
        pid = p;
        range = next;
        if (range) changed = await runBatch(tx, range, 1, before);
        changes = await transactionChanges(tx, baseline);
        throw DRY_RUN;
      }));
      // A dry run keeps nothing: the first signal already cancels it.
      await stopServerWorkOn(loss.race(work), { url, pid: () => pid, stop: options.signal, escalate: options.now });
    } catch (error) {
      if (options.signal?.aborted) return { outcome: 'stopped', job, resumedFrom, progress: startProgress(job, resumedFrom, left), cancelled: range };
      const lost = connectionLossReason(error instanceof ScriptFailure ? error.cause : error);
      if (lost) throw new ConnectionError(`lost the connection to ${maskUrl(url)} during the dry run: ${lost}; nothing was changed`);
      if (error instanceof ScriptFailure) throw failure(error, range!, '; nothing was changed (dry run)');
      if (error !== DRY_RUN) throw error;
    }
    return { outcome: 'dry-run', job, range, changed, changes, resumedFrom, rowsLeft: left.rows };
  }

  await ensureCheckpointTable(sql);
  if (options.restart) await deleteCheckpoint(sql, job);
  const start = await startCheckpoint(sql, job);
  if (start.finishedAt) return { outcome: 'already-finished', job, checkpoint: start };
  const resumedFrom = start.batches > 0 ? start : null;
  const left = await remainingRows(sql, spec.table, key, start.lastKey, start.rowsDone);

  options.onStart?.({ job, resumedFrom, rowsTotal: start.rowsDone + left.rows, totalIsEstimate: left.estimate, batchSize });
  const began = performance.now();
  const progress = startProgress(job, start, left);
  const committedNote = () =>
    progress.batches + (resumedFrom?.batches ?? 0) > 0
      ? `; earlier batches are committed and the checkpoint is saved: fix the script and run the same command again to resume`
      : '; nothing was changed';

  for (;;) {
    if (options.signal?.aborted) return { outcome: 'stopped', job, resumedFrom, progress, cancelled: null };
    let batchStarted = performance.now();
    let range: KeyRange | null = null;
    let done = false;
    let changed = 0;
    for (let attempt = 1; ; attempt += 1) {
      batchStarted = performance.now();
      let pid: number | undefined;
      try {
        const work = sql.begin(noting(loss, async (tx) => {
          // Pipelined (sent together, run in order). The row lock keeps a second run of the same
          // job from taking the same keys.
          const [, p, checkpoint, before] = await Promise.all([
            applyBatchDefaults(tx),
            backendPid(tx),
            readCheckpoint(tx, job, { lock: true }).catch((error: { code?: string }) => {
              if (error.code === '55P03') throw CHECKPOINT_LOCKED;
              throw error;
            }),
            tableChangeCount(tx, quotedTable),
          ]);
          pid = p;
          range = await nextKeyRange(tx, spec.table, key, checkpoint?.lastKey ?? null, batchSize);
          if (!range) {
            await finishCheckpoint(tx, job);
            done = true;
            return;
          }
          changed = await runBatch(tx, range, progress.batches + 1, before);
          await advanceCheckpoint(tx, job, range.to, range.rows, changed);
        }));
        // A second signal cancels the batch on the server (else it would run on, holding its locks).
        await stopServerWorkOn(loss.race(work), { url, pid: () => pid, stop: options.now });
        break;
      } catch (error) {
        if (options.now?.aborted) return { outcome: 'stopped', job, resumedFrom, progress, cancelled: range };
        if (error === CHECKPOINT_LOCKED) {
          // The transaction is over, so sql is free to ask who holds the row.
          const holders = await otherRunSessions(sql, options.shown);
          throw new RbError(
            holders.length
              ? `${options.shown}: the checkpoint row of backfill job "${job}" (public.rb_backfill_checkpoints) is locked by ${describeScriptSessions(holders, options.shown)}`
              : `${options.shown}: another run of backfill job "${job}" is in progress (its checkpoint row in public.rb_backfill_checkpoints is locked); wait for it to finish or stop it`,
          );
        }
        const lost = connectionLossReason(error instanceof ScriptFailure ? error.cause : error);
        if (lost) {
          const current = range as KeyRange | null;
          throw new ConnectionError(
            `lost the connection to ${maskUrl(url)} during batch ${progress.batches + 1}${current ? ` (keys ${current.from}..${current.to})` : ''}: ${lost}; ` +
              `${formatCount(progress.rowsDone)} rows are done and each batch commits together with its checkpoint: run the same command again to resume from the last committed batch`,
          );
        }
        if (!(error instanceof ScriptFailure)) throw error;
        const code = (error.cause as { code?: string } | null)?.code;
        const reason = code ? RETRYABLE[code] : undefined;
        const current = range as KeyRange | null;
        if (!reason || attempt > RETRY_DELAYS_MS.length || options.signal?.aborted) throw failure(error, current!, committedNote());
        // Lock waits, deadlocks and serialization failures are about other traffic, not the script.
        const delay = RETRY_DELAYS_MS[attempt - 1];
        options.log.warn(
          `batch ${progress.batches + 1} (keys ${current!.from}..${current!.to}) hit ${reason} (SQLSTATE ${code}) and was rolled back; retrying in ${delay / 1000}s (attempt ${attempt + 1} of ${RETRY_DELAYS_MS.length + 1})`,
        );
        await sleep(delay, undefined, { signal: options.signal }).catch((e: Error) => {
          if (e.name !== 'AbortError') throw e;
        });
        if (options.signal?.aborted) return { outcome: 'stopped', job, resumedFrom, progress, cancelled: null };
      }
    }
    if (done) break;
    const batchMs = performance.now() - batchStarted;
    const finished = range as KeyRange | null;
    progress.batches += 1;
    progress.rowsChanged += changed;
    progress.rowsDone += finished!.rows;
    progress.rowsThisRun += finished!.rows;
    progress.lastKey = finished!.to;
    progress.slowestBatchMs = Math.max(progress.slowestBatchMs, batchMs);
    progress.elapsedMs = performance.now() - began;
    progress.rowsTotal = Math.max(progress.rowsTotal, progress.rowsDone);
    options.onProgress?.({ ...progress });
    if (pauseMs > 0 && !options.signal?.aborted) {
      await sleep(pauseMs, undefined, { signal: options.signal }).catch((error: Error) => {
        if (error.name !== 'AbortError') throw error;
      });
    }
  }
  progress.elapsedMs = performance.now() - began;
  progress.rowsTotal = progress.rowsDone;
  return { outcome: 'finished', job, resumedFrom, progress };
}
