import { asConnectionError, connectionLossReason } from '../client.ts';
import { ConnectionError, MigrationError } from '../errors.ts';
import { maskUrl } from '../target/database-url.ts';
import { db } from '@rbsql/runtime';
import type { Backfill, BackfillCounts, BackfillLogger } from '@rbsql/runtime';
import { watchConnectionLoss, type LossWatch } from './connection-loss.ts';
import { refusingProcessExit, type ExitGuard } from './process-exit-guard.ts';
import { describeScriptError, scriptLocation } from './script-location.ts';
import { applySessionDefaults, backendPid, openScriptClient, transactionChanges, type TableChange } from './session.ts';
import { stopServerWorkOn } from './stop-server-work.ts';
import { waitForKilledRuns, type ScriptSession } from './earlier-runs.ts';

export interface ScriptRunOptions {
  /** Absolute path of the script (to find its frames in stack traces) and how to show it. */
  file: string;
  shown: string;
  args: string[];
  dryRun: boolean;
  log: BackfillLogger;
  /** search_path for the session, e.g. "app, public". */
  searchPath: string;
  /** Sessions of a killed rb run of the same script are still on the server: this run waits for them to end. */
  onKilledRun?: (sessions: ScriptSession[]) => void;
}

export interface SingleRunOptions extends ScriptRunOptions {
  /** Ctrl-C / SIGTERM: cancel the running statement and roll the transaction back. */
  signal?: AbortSignal;
  /** A second one: end the server session without waiting for the script to let go. */
  now?: AbortSignal;
}

export interface ScriptRunResult {
  committed: boolean;
  /** `signal` aborted the run: rolled back, or (rarely) it arrived as the commit went through. */
  stopped: boolean;
  /** Rows changed per table by the transaction (from pg_stat_xact_user_tables, read before commit/rollback). */
  changes: TableChange[];
  /** Counts the script returned, if any. */
  counts?: BackfillCounts;
  durationMs: number;
}

/** Thrown inside sql.begin to roll a dry run back, or a run stopped before the script started. */
const DRY_RUN = Symbol('dry run rollback');
const STOPPED = Symbol('stopped before the script started');

/** Marks an error thrown by the script itself (not by rb's own statements). */
export class ScriptFailure {
  constructor(readonly cause: unknown) {}
}

/** Turns what the script threw into one line naming the script's file and line. */
export function scriptError(error: unknown, file: string, shown: string): MigrationError {
  const where = scriptLocation(error, file);
  return new MigrationError(`${shown}${where ? `:${where.line}` : ''}: ${describeScriptError(error)}; the transaction was rolled back, nothing was changed`);
}

/**
 * Runs a script's default export inside one transaction on `url`: commit when it returns,
 * roll back when it throws or under dryRun. Returns what changed. When `signal` aborts, the
 * running statement is cancelled and the transaction rolled back before this returns.
 */
export function runSingleScript(url: string, script: Backfill, options: SingleRunOptions): Promise<ScriptRunResult> {
  return refusingProcessExit((exits) => watchConnectionLoss((loss) => runInTransaction(url, script, options, exits, loss)));
}

async function runInTransaction(url: string, script: Backfill, options: SingleRunOptions, exits: ExitGuard, loss: LossWatch): Promise<ScriptRunResult> {
  const started = performance.now();
  const sql = openScriptClient(url, options.searchPath, options.shown);
  let changes: TableChange[] = [];
  let counts: BackfillCounts | undefined;
  let pid: number | undefined;
  let committing = false;
  const result = (committed: boolean): ScriptRunResult => ({
    committed, stopped: Boolean(options.signal?.aborted), changes, counts, durationMs: performance.now() - started,
  });
  try {
    await waitForKilledRuns(sql, options.shown, { onWait: options.onKilledRun, signal: options.signal });
    const work = sql.begin(async (tx) => {
      try {
        [pid] = await Promise.all([backendPid(tx), applySessionDefaults(tx)]);
        if (options.signal?.aborted) throw STOPPED;
        const baseline = await transactionChanges(tx);
        try {
          const context = { sql: tx, db: db(tx), log: options.log, args: options.args, dryRun: options.dryRun };
          const returned = await script(context);
          if (exits.call) throw exits.call; // the script caught the throw
          if (returned && typeof returned === 'object') counts = returned;
        } catch (error) {
          throw new ScriptFailure(error);
        }
        try {
          changes = await transactionChanges(tx, baseline);
        } catch (error) {
          // 25P02: a statement failed and the script caught the error; the transaction is unusable.
          if ((error as { code?: string }).code === '25P02') {
            throw new MigrationError(`${options.shown}: a statement failed inside the script and the script caught the error, so the transaction was aborted; it was rolled back, nothing was changed (let the error propagate, or use sql.savepoint() to recover inside the script)`);
          }
          throw error;
        }
        if (options.dryRun) throw DRY_RUN;
        committing = true;
      } catch (error) {
        loss.note(error instanceof ScriptFailure ? error.cause : error);
        throw error;
      }
    });
    await stopServerWorkOn(loss.race(work), { url, pid: () => pid, stop: options.signal, escalate: options.now });
  } catch (error) {
    // Stopped: whatever the script or the server said, the transaction did not commit.
    if (options.signal?.aborted || error === STOPPED) return result(false);
    if (error === DRY_RUN) return result(false);
    const cause = error instanceof ScriptFailure ? error.cause : error;
    if (pid === undefined) {
      const refused = asConnectionError(cause, url);
      if (refused !== cause) throw refused;
    }
    const lost = connectionLossReason(cause);
    if (lost) {
      throw new ConnectionError(
        committing
          ? `lost the connection to ${maskUrl(url)} while committing ${options.shown}: ${lost}; whether the transaction committed is unknown: check the data before running the script again`
          : `lost the connection to ${maskUrl(url)} while ${options.shown} ran: ${lost}; its transaction was rolled back, nothing was changed`,
      );
    }
    if (error instanceof ScriptFailure) throw scriptError(error.cause, options.file, options.shown);
    if (error instanceof MigrationError) throw error;
    // A failure at COMMIT (deferred constraint, serialization): the script returned but nothing was kept.
    throw new MigrationError(`${options.shown}: ${describeScriptError(error)}; the transaction was rolled back, nothing was changed`);
  } finally {
    // After a lost connection there is nothing to wait for (and postgres.js may never settle it).
    await sql.end({ timeout: loss.error === undefined ? 5 : 0 });
  }
  return result(true);
}
