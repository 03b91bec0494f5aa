import type { IDatabaseConnection } from './prepared-query.ts';
import type postgres from 'postgres';
/** What a script's `log` writes: one line on stderr per call, `key=value` fields appended. */
export interface BackfillLogger {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
}
/** What `rb run-script` hands a script's default export. */
export interface BackfillContext {
    /**
     * A postgres.js transaction (from sql.begin): committed when the script returns, rolled back on a
     * throw. It parses values with rb's type choices, as createClient and the generated types do.
     */
    sql: postgres.TransactionSql;
    /** pgtyped's connection over `sql`: `await someQuery.run(params, db)`. */
    db: IDatabaseConnection;
    log: BackfillLogger;
    /** Arguments after `--` on the command line. */
    args: string[];
    /** True under --dry-run: the transaction will be rolled back whatever the script does. */
    dryRun: boolean;
}
/** Counts a script may return; printed after the run ("updated: 1000"). */
export type BackfillCounts = Record<string, number>;
/**
 * A backfill script's default export:
 *   const backfill: Backfill = async ({ sql, log }) => { ... };
 *   export default backfill;
 */
export type Backfill = (context: BackfillContext) => Promise<BackfillCounts | void>;
/** One batch of a batched backfill: the keys from `from` to `to` (inclusive) of existing rows. */
export interface BatchContext extends BackfillContext {
    /** First and last key of this batch (bigint keys arrive as strings, as postgres.js returns int8). */
    from: string;
    to: string;
    /** 1-based batch number within this run. */
    batch: number;
}
/**
 * What a batch returns: the rows it changed (a number, or a postgres.js result with .count). When it
 * returns nothing, rb counts the rows its transaction inserted, updated and deleted.
 */
export type BatchResult = number | {
    count: number;
} | void;
export interface BatchedBackfillOptions {
    /** Table to walk, [schema.]name taken literally, e.g. "app.my_model". */
    table: string;
    /** Key column to walk in order: NOT NULL with a unique index of its own (default "id"). */
    key?: string;
    /** Rows per batch transaction, 1 to 1,000,000 (default 10,000; `--batch-size` overrides). */
    batchSize?: number;
    /** Milliseconds to wait between batches, up to an hour (default 0; `--pause` overrides). */
    pauseMs?: number;
    /** Name of the checkpoint (default: the script's file name without extension). */
    job?: string;
    /** The set-based statement(s) for one key range; runs in the batch's own transaction. */
    batch(context: BatchContext): Promise<BatchResult>;
}
declare const BATCHED: unique symbol;
/** A batched backfill, as returned by batchedBackfill(); export it as the script's default. */
export interface BatchedBackfill extends BatchedBackfillOptions {
    readonly [BATCHED]: true;
}
/**
 * Declares a backfill that walks `table` by key in batches, each batch in its own transaction,
 * with a checkpoint saved in the database after every batch (a rerun resumes).
 */
export declare function batchedBackfill(options: BatchedBackfillOptions): BatchedBackfill;
/** Symbol.for, not instanceof: the script may load its own copy of rb's modules. */
export declare function isBatchedBackfill(value: unknown): value is BatchedBackfill;
export {};
