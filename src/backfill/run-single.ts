import { asConnectionError, connect } from '../client.ts';
import { MigrationError } from '../errors.ts';
import { db } from '@rbsql/runtime';
import type { Backfill, BackfillCounts, BackfillLogger } from '@rbsql/runtime';
import { describeScriptError, scriptLocation } from './script-location.ts';
import { applySessionDefaults, transactionChanges, type TableChange } from './session.ts';

export interface ScriptRunOptions {
  /** Absolute path of the script (to find its frames in stack traces) and how to show it. */
  file: string;
  shown: string;
  args: string[];
  dryRun: boolean;
  log: BackfillLogger;
  /** search_path for the session, e.g. "app, public". */
  searchPath: string;
}

export interface ScriptRunResult {
  committed: boolean;
  /** Rows changed per table by the transaction (from pg_stat_xact_user_tables, read before commit/rollback). */
  changes: TableChange[];
  /** Counts the script returned, if any. */
  counts?: BackfillCounts;
  durationMs: number;
}

/** Thrown inside sql.begin to roll a dry run back. */
const DRY_RUN = Symbol('dry run rollback');

/** Marks an error thrown by the script itself (not by rb's own statements). */
class ScriptFailure {
  constructor(readonly cause: unknown) {}
}

/** Turns what the script threw into one line naming the script's file and line. */
export function scriptError(error: unknown, file: string, shown: string): MigrationError {
  const where = scriptLocation(error, file);
  return new MigrationError(`${shown}${where ? `:${where.line}` : ''}: ${describeScriptError(error)}; the transaction was rolled back, nothing was changed`);
}

/**
 * Runs a script's default export inside one transaction on `url`: commit when it returns,
 * roll back when it throws or under dryRun. Returns what changed.
 */
export async function runSingleScript(url: string, script: Backfill, options: ScriptRunOptions): Promise<ScriptRunResult> {
  const started = performance.now();
  const sql = connect(url, { max: 1, connection: { search_path: options.searchPath } });
  let changes: TableChange[] = [];
  let counts: BackfillCounts | undefined;
  try {
    await sql.begin(async (tx) => {
      await applySessionDefaults(tx);
      const baseline = await transactionChanges(tx);
      try {
        const returned = await script({ sql: tx, db: db(tx), log: options.log, args: options.args, dryRun: options.dryRun });
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
    });
  } catch (error) {
    if (error === DRY_RUN) return { committed: false, changes, counts, durationMs: performance.now() - started };
    if (error instanceof ScriptFailure) throw scriptError(error.cause, options.file, options.shown);
    if (error instanceof MigrationError) throw error;
    const mapped = asConnectionError(error, url);
    if (mapped !== error) throw mapped;
    // A failure at COMMIT (deferred constraint, serialization): the script returned but nothing was kept.
    throw new MigrationError(`${options.shown}: ${describeScriptError(error)}; the transaction was rolled back, nothing was changed`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { committed: true, changes, counts, durationMs: performance.now() - started };
}
