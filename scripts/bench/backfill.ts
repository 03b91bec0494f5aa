/**
 * Backfill throughput (issue 4): the seed's example, model_prop = id::text where null, on
 * 1,000,000 rows, all measured in one run on one server:
 *   (a) one set-based UPDATE over the whole table        (baseline)
 *   (b) rb's batched helper (10,000-row key ranges, one transaction and checkpoint each)
 *   (c) the seed's row-by-row loop (select the ids, one UPDATE per row, one transaction) on 100,000 rows
 * Targets: b/a >= 0.8, b/c >= 30, slowest batch transaction < 0.5 s. Exits 1 if one is missed
 * on app.my_model.
 *
 * The table is app.my_model as the migrations build it (primary key, unique index on
 * model_prop, foreign key user_id without an index, as in the seed): every update writes two
 * index entries, which the set-based runs pay per row while the latency-bound row-by-row loop
 * barely notices. (An extra index on user_id made (b)/(c) drop to about 19x here.)
 * (b) is backfill/2024-09-20_my_model_populate_model_prop.ts itself (its typed query).
 * BENCH_HOT_TABLE=1 also measures the same columns without indexes (HOT updates, as in field
 * notes §5), for comparison (printed only; the exit code follows app.my_model).
 * (a) and (b) run twice each, in the order a b b a (cancels a drift in the machine's load); the
 * faster run of each counts, the slowest batch of both batched runs counts. Before each run the
 * column is reset to null and the table vacuumed, so every run starts from the same state.
 *
 * The server is a fresh embedded PostgreSQL 15 (settings below) or BENCH_DATABASE_URL (a database
 * is created there and dropped). The load average is printed: other work on the machine slows
 * the set-based runs far more than the latency-bound row-by-row loop.
 *
 *   node --import tsx scripts/bench/backfill.ts
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Sql } from '../../src/client.ts';
import { localServerUrl, startLocalServer, stopLocalServer } from '../../src/local-db/embedded-server.ts';
import { quoteIdent } from '../../src/local-db/ensure-database.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { withDatabase } from '../../src/target/database-url.ts';
import { batchedBackfill, type BatchedBackfill } from '@rbsql/runtime';
import { createLogger } from '../../src/backfill/logger.ts';
import { runBatches } from '../../src/backfill/run-batches.ts';
import example from '../../backfill/2024-09-20_my_model_populate_model_prop.ts';
import { freePort } from '../../test/support/server.ts';

const ROWS = 1_000_000;
const ROW_BY_ROW_ROWS = 100_000;
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const exampleFile = path.join(repoRoot, 'backfill', '2024-09-20_my_model_populate_model_prop.ts');

/**
 * Memory and WAL sized as a production server would be for this table (with the 128 MB default
 * every run evicts dirty pages, each eviction waiting for a WAL flush). Durability is off as on
 * the test server (fsync, synchronous_commit, full_page_writes), which makes the runs compare
 * the work of the statements rather than this VM's shared disk; BENCH_DURABLE=1 keeps the stock
 * durability settings instead.
 */
const SERVER_CONFIG = [
  'shared_buffers = 512MB', 'max_wal_size = 4GB', 'checkpoint_timeout = 30min',
  ...(process.env.BENCH_DURABLE ? [] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
];

async function server(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) return { adminUrl: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  const root = mkdtempSync(path.join(os.tmpdir(), 'rb-bench-pg-'));
  chmodSync(root, 0o755);
  const settings = { port: await freePort(), database: 'postgres', dataDir: path.join(root, 'server') };
  await startLocalServer(settings, { extraConfig: SERVER_CONFIG });
  return {
    adminUrl: localServerUrl(settings, 'postgres'),
    stop: async () => {
      await stopLocalServer(settings);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const rate = (rows: number, ms: number) => (rows * 1000) / ms;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Outcome {
  vsSingle: number;
  vsRow: number;
  slowestMs: number;
}

/** Runs (a), (b), (c) on one table and prints them; `table` is schema-qualified and trusted. */
async function measure(url: string, sql: Sql, label: string, table: string, spec: BatchedBackfill, file: string): Promise<Outcome> {
  const reset = async () => {
    await sql.unsafe(`update ${table} set model_prop = null`);
    await sql.unsafe(`vacuum analyze ${table}`);
  };
  const filled = async () => Number((await sql.unsafe<{ n: string }[]>(`select count(*) as n from ${table} where model_prop = id::text`))[0].n);
  const runSingle = async () => {
    await reset();
    const run = await timed(() => sql.unsafe(`update ${table} set model_prop = id::text where model_prop is null`));
    if ((await filled()) !== ROWS) throw new Error(`the single UPDATE did not fill every row of ${table}`);
    return run.ms;
  };
  const runBatched = async () => {
    await reset();
    const log = createLogger(() => {});
    const run = await timed(() =>
      runBatches(url, spec, { file, shown: path.relative(repoRoot, file), args: [], dryRun: false, log, searchPath: 'app, public', restart: true }),
    );
    if (run.value.outcome !== 'finished' || (await filled()) !== ROWS) throw new Error(`the batched run did not fill every row of ${table}`);
    return { ms: run.ms, slowestMs: run.value.progress.slowestBatchMs, batches: run.value.progress.batches };
  };

  console.log(`\n${label}: ${fmt(ROWS)} rows; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  const a1 = await runSingle();
  const b1 = await runBatched();
  const b2 = await runBatched();
  const a2 = await runSingle();
  await reset();
  // The seed's loop: load the ids still null, then one UPDATE per row, one transaction, one commit.
  const rowByRow = await timed(() =>
    sql.begin(async (tx) => {
      // tx(table) quotes "schema"."table"; the statement text is the same every row, so it is prepared once.
      const ids = await tx<{ id: string }[]>`select id from ${tx(table)} where model_prop is null order by id limit ${ROW_BY_ROW_ROWS}`;
      for (const { id } of ids) await tx`update ${tx(table)} set model_prop = ${String(id)} where id = ${id}`;
    }),
  );
  if ((await filled()) !== ROW_BY_ROW_ROWS) throw new Error(`the row-by-row loop did not fill its rows of ${table}`);

  const single = Math.min(a1, a2);
  const batched = b1.ms <= b2.ms ? b1 : b2;
  const slowestMs = Math.max(b1.slowestMs, b2.slowestMs);
  const singleRate = rate(ROWS, single);
  const batchedRate = rate(ROWS, batched.ms);
  const rowRate = rate(ROW_BY_ROW_ROWS, rowByRow.ms);
  console.log(`  runs: single UPDATE ${seconds(a1)}, ${seconds(a2)}; batched ${seconds(b1.ms)}, ${seconds(b2.ms)}`);
  console.log(`  (a) one UPDATE, ${fmt(ROWS)} rows:                    ${seconds(single)}  ${fmt(singleRate)} rows/s`);
  console.log(`  (b) batched helper, ${fmt(ROWS)} rows, ${batched.batches} batches: ${seconds(batched.ms)}  ${fmt(batchedRate)} rows/s`);
  console.log(`  (c) row-by-row loop, ${fmt(ROW_BY_ROW_ROWS)} rows:                ${seconds(rowByRow.ms)}  ${fmt(rowRate)} rows/s`);
  const outcome = { vsSingle: batchedRate / singleRate, vsRow: batchedRate / rowRate, slowestMs };
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log(`  batched / single UPDATE:   ${outcome.vsSingle.toFixed(2)}x (target >= 0.8)  ${mark(outcome.vsSingle >= 0.8)}`);
  console.log(`  batched / row-by-row:      ${outcome.vsRow.toFixed(1)}x (target >= 30)  ${mark(outcome.vsRow >= 30)}`);
  console.log(`  slowest batch transaction: ${Math.round(slowestMs)} ms (target < 500 ms)  ${mark(slowestMs < 500)}`);
  console.log(`  load average at the end: ${os.loadavg()[0].toFixed(1)}`);
  return outcome;
}

const { adminUrl, stop } = await server();
const name = `rb_bench_backfill_${process.pid}`;
const admin = connect(adminUrl);
let failed = false;
try {
  await admin.unsafe(`create database ${quoteIdent(name)}`);
  const url = withDatabase(adminUrl, name);
  const migrated = await runDbmate({ url, migrationsDir: path.join(repoRoot, 'db', 'migrations') }, ['migrate']);
  if (!migrated.ok) throw new Error(`migrating the bench database failed: ${migrated.stderr}`);
  const sql = connect(url, { max: 1 });
  try {
    console.log(`server: ${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : SERVER_CONFIG.join(', ')}`);
    await sql`insert into app."user" (email) values ('bench@example.com')`;
    await sql`insert into app.my_model (model_prop, user_id) select 'seed-' || g, 1 from generate_series(1, ${ROWS}) g`;
    const real = await measure(url, sql, 'app.my_model (as migrated: unique model_prop)', 'app.my_model', example, exampleFile);
    failed = !(real.vsSingle >= 0.8 && real.vsRow >= 30 && real.slowestMs < 500);

    if (process.env.BENCH_HOT_TABLE) {
      await sql`create table public.my_model_hot (id bigint generated by default as identity primary key, model_prop varchar(128), user_id bigint)`;
      await sql`insert into public.my_model_hot (model_prop, user_id) select 'seed-' || g, 1 from generate_series(1, ${ROWS}) g`;
      await sql`drop table app.my_model`; // frees its buffers for the second table
      const hot = batchedBackfill({
        table: 'public.my_model_hot',
        batchSize: 10_000,
        batch: ({ sql: tx, from, to }) => tx`update public.my_model_hot set model_prop = id::text where id between ${from} and ${to} and model_prop is null`,
      });
      await measure(url, sql, 'the same columns without the model_prop index (HOT updates; field notes §5)', 'public.my_model_hot', hot, path.join(repoRoot, 'bench-my_model_hot.ts'));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
} finally {
  await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  await admin.end({ timeout: 5 });
  await stop();
}
process.exit(failed ? 1 : 0);
