import { UsageError } from '../errors.ts';
import type { BatchedBackfill } from '@rbsql/runtime';

/**
 * The rules for a batched backfill's settings, checked before anything connects: in the script
 * (batchedBackfill({ ... })) and on the command line (--batch-size, --pause).
 */
export const DEFAULT_BATCH_SIZE = 10_000;
/** A batch is one transaction: past a million rows its locks and WAL are those of one big UPDATE. */
export const MAX_BATCH_SIZE = 1_000_000;
/** One hour between batches; longer waits belong to a scheduler. */
export const MAX_PAUSE_MS = 3_600_000;

const OPTIONS = ['table', 'key', 'batchSize', 'pauseMs', 'job', 'batch'] as const;

/** One part of a table name, taken literally (rb quotes it): letters of any script, digits, _ and $. */
const NAME_PART = /^[\p{L}_][\p{L}\p{M}\p{N}_$]*$/u;
/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
const MAX_NAME_BYTES = 63;

const n = (value: number) => value.toLocaleString('en-US');

export function isName(part: string): boolean {
  return NAME_PART.test(part) && Buffer.byteLength(part) <= MAX_NAME_BYTES;
}

/** The whole number `value` stands for when it lies in min..max, else undefined ("5000", 5000). */
export function wholeNumberIn(value: unknown, min: number, max: number): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= min && number <= max ? number : undefined;
}

/** --batch-size and --pause from the command line; undefined when not given. */
export function batchFlags(flags: { batchSize?: unknown; pause?: unknown }): { batchSize?: number; pauseMs?: number } {
  const check = (value: unknown, flag: string, min: number, max: number, example: number, what: string) => {
    if (value === undefined) return undefined;
    const number = wholeNumberIn(value, min, max);
    if (number === undefined) {
      throw new UsageError(`${flag} ${String(value)}: must be a whole number from ${n(min)} to ${n(max)} (${what}), e.g. ${flag} ${example}`);
    }
    return number;
  };
  return {
    batchSize: check(flags.batchSize, '--batch-size', 1, MAX_BATCH_SIZE, 5000, 'rows per batch transaction'),
    pauseMs: check(flags.pause, '--pause', 0, MAX_PAUSE_MS, 100, 'milliseconds between batches'),
  };
}

/**
 * Refuses a batchedBackfill({ ... }) whose settings cannot work, with one line naming the script
 * and the setting: unknown options (a typo would otherwise be ignored), a table or key that is not
 * a plain name, sizes out of range, a missing batch function.
 */
export function checkBatchedSettings(spec: BatchedBackfill, shown: string): void {
  const bad = (what: string, rule: string) => new UsageError(`${shown}: batchedBackfill({ ${what} }) ${rule}`);
  const unknown = Object.keys(spec).filter((key) => !(OPTIONS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new UsageError(`${shown}: batchedBackfill({ ... }) has no option "${unknown[0]}"; the options are ${OPTIONS.join(', ')}`);
  }
  const { table, key, batchSize, pauseMs, job, batch } = spec as unknown as Record<string, unknown>;
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (!(parts.length === 1 || parts.length === 2) || !parts.every(isName)) {
    throw bad(`table: ${JSON.stringify(table) ?? 'undefined'}`, 'is not a table name; write [schema.]table with letters, digits, _ and $, e.g. table: "app.my_model"');
  }
  if (key !== undefined && !(typeof key === 'string' && isName(key))) {
    throw bad(`key: ${JSON.stringify(key)}`, 'is not a column name; name the unique, NOT NULL key column, e.g. key: "id"');
  }
  if (batchSize !== undefined && wholeNumberIn(batchSize, 1, MAX_BATCH_SIZE) === undefined) {
    throw bad(`batchSize: ${JSON.stringify(batchSize)}`, `must be a whole number from 1 to ${n(MAX_BATCH_SIZE)} (rows per batch transaction)`);
  }
  if (pauseMs !== undefined && wholeNumberIn(pauseMs, 0, MAX_PAUSE_MS) === undefined) {
    throw bad(`pauseMs: ${JSON.stringify(pauseMs)}`, `must be a whole number from 0 to ${n(MAX_PAUSE_MS)} (milliseconds between batches)`);
  }
  if (job !== undefined && !(typeof job === 'string' && job.trim() !== '' && job.length <= 200)) {
    throw bad(`job: ${JSON.stringify(job)}`, 'must be a non-empty name of at most 200 characters (it names the checkpoint)');
  }
  if (typeof batch !== 'function') {
    throw bad('batch', 'must be an async function ({ sql, db, from, to, batch, log, args, dryRun }) => ... running the change for one key range');
  }
}
