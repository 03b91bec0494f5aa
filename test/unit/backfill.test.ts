import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTransformError } from '../../src/backfill/load-script.ts';
import { formatLogLine } from '../../src/backfill/logger.ts';
import { formatDuration, formatProgress } from '../../src/backfill/progress.ts';
import type { BatchProgress } from '../../src/backfill/run-batches.ts';
import { describeScriptError, scriptLocation } from '../../src/backfill/script-location.ts';
import { describeChange } from '../../src/backfill/session.ts';

const progress = (over: Partial<BatchProgress>): BatchProgress => ({
  job: 'j', batches: 12, rowsDone: 120_000, rowsTotal: 1_000_000, totalIsEstimate: false, rowsChanged: 0,
  rowsThisRun: 120_000, elapsedMs: 400, slowestBatchMs: 40, lastKey: '120000', ...over,
});

test('progress line: rows done/total, percent, rate of this run, ETA, batches', () => {
  assert.is(formatProgress(progress({})), '120,000/1,000,000 rows (12.0%), 300,000 rows/s, ETA 3s, 12 batches');
  // A resumed run: 500,000 done before, 100,000 by this run in 10 s -> 10,000 rows/s, 400,000 left.
  assert.is(
    formatProgress(progress({ rowsDone: 600_000, rowsThisRun: 100_000, elapsedMs: 10_000, totalIsEstimate: true, batches: 1 })),
    '600,000/~1,000,000 rows (60.0%), 10,000 rows/s, ETA 40s, 1 batch',
  );
  assert.is(formatProgress(progress({ elapsedMs: 0 })), '120,000/1,000,000 rows (12.0%), 0 rows/s, ETA ?, 12 batches');
});

test('durations: seconds, then m:ss, then h:mm:ss', () => {
  assert.is(formatDuration(0), '0s');
  assert.is(formatDuration(59_400), '59s');
  assert.is(formatDuration(65_000), '1:05');
  assert.is(formatDuration(3_725_000), '1:02:05');
});

test('esbuild transform errors give line, column and text', () => {
  const message = 'Transform failed with 1 error:\n/tmp/p/backfill/x.ts:2:12: ERROR: Unexpected ";"';
  assert.equal(parseTransformError(message), { line: 2, column: 12, text: 'Unexpected ";"' });
  assert.is(parseTransformError('something else'), undefined);
});

test('the script frame is found by path or by file URL (with a tsx namespace query)', () => {
  const file = '/tmp/p (1)/backfill/x.ts';
  const byPath = new Error('boom');
  byPath.stack = `Error: boom\n    at inner (/tmp/p (1)/lib.ts:1:1)\n    at default (${file}:14:9)\n    at run (/work/main/src/x.ts:3:3)`;
  assert.equal(scriptLocation(byPath, file), { line: 14, column: 9 });
  const byUrl = new Error('boom');
  byUrl.stack = 'Error: boom\n    at default (file:///tmp/p%20(1)/backfill/x.ts?namespace=123:7:2)';
  assert.equal(scriptLocation(byUrl, file), { line: 7, column: 2 });
  const elsewhere = new Error('boom');
  elsewhere.stack = 'Error: boom\n    at x (/tmp/p (1)/backfill/x.tsx:1:1)';
  assert.is(scriptLocation(elsewhere, file), undefined);
  assert.is(scriptLocation('not an error', file), undefined);
});

test('script errors: PostgreSQL errors keep SQLSTATE and detail; others their first line', () => {
  const pg = Object.assign(new Error('duplicate key value violates unique constraint "k"'), { name: 'PostgresError', code: '23505', detail: 'Key (a)=(1) already exists.' });
  assert.is(describeScriptError(pg), 'duplicate key value violates unique constraint "k" (SQLSTATE 23505: Key (a)=(1) already exists.)');
  assert.is(describeScriptError(new TypeError('x is not a function\nmore')), 'x is not a function');
  assert.is(describeScriptError('a string'), 'threw a string');
});

test('log lines and change lines', () => {
  assert.is(formatLogLine('info', 'filled', { rows: 3, note: 'two words', empty: '', at: new Date(0) }), '[info] filled rows=3 note="two words" empty="" at=1970-01-01T00:00:00.000Z');
  assert.is(formatLogLine('warn', 'careful'), '[warn] careful');
  assert.is(describeChange({ table: 'app.my_model', inserted: 0, updated: 1500, deleted: 2 }), 'app.my_model: 1,500 updated, 2 deleted');
});

test.run();
