import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase, repoRoot, withSql } from '../support/databases.ts';
import { rbBin, runRb, startRb, tempProject, type RbRun, runtimeEntry } from '../support/project.ts';
import { runProcess } from '../../src/process.ts';

const EXAMPLE = 'backfill/2024-09-20_my_model_populate_model_prop.ts';
const EXAMPLE_JOB = '2024-09-20_my_model_populate_model_prop';

/**
 * app.my_model with ids 1..20,000 and 5,000,001..5,010,000 (a gap of ~5 million ids) and a
 * `touches` column a trigger increments on every update of a row, to prove each row was
 * updated exactly once.
 */
async function seedWithGap(url: string): Promise<void> {
  await withSql(url, async (sql) => {
    await sql`alter table app.my_model add column touches int not null default 0`;
    await sql.unsafe(`
      create function app.count_touch() returns trigger language plpgsql as $$
      begin new.touches := old.touches + 1; return new; end $$;
      create trigger my_model_touch before update on app.my_model for each row execute function app.count_touch();`);
    await sql`insert into app.my_model (id) select g from generate_series(1, 20000) g`;
    await sql`insert into app.my_model (id) select g from generate_series(5000001, 5010000) g`;
  });
}

/** The table compared with what one set-based UPDATE gives: every row filled, each touched once. */
const summary = (url: string) =>
  withSql(url, async (sql) => {
    const [row] = await sql<{ rows: string; as_single_update: string; touched_once: string; untouched: string }[]>`
      select count(*) as rows,
             count(*) filter (where model_prop = id::text) as as_single_update,
             count(*) filter (where touches = 1) as touched_once,
             count(*) filter (where touches = 0 and model_prop is null) as untouched
        from app.my_model`;
    return { rows: Number(row.rows), asSingleUpdate: Number(row.as_single_update), touchedOnce: Number(row.touched_once), untouched: Number(row.untouched) };
  });

const checkpoint = (url: string, job: string) =>
  withSql(url, async (sql) => {
    const [exists] = await sql`select to_regclass('public.rb_backfill_checkpoints') is not null as e`;
    if (!exists.e) return null;
    const rows = await sql<{ rows_done: string; batches: number; last_key: string | null; finished: boolean }[]>`
      select rows_done, batches, last_key, finished_at is not null as finished from public.rb_backfill_checkpoints where job = ${job}`;
    return rows.length ? { rowsDone: Number(rows[0].rows_done), batches: rows[0].batches, lastKey: rows[0].last_key, finished: rows[0].finished } : null;
  });

/** Starts the real rb binary (as runRb does) but hands back the child so the test can signal it. */

async function waitForBatches(url: string, job: string, batches: number): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const state = await checkpoint(url, job);
    if (state && state.batches >= batches) return;
    await sleep(20);
  }
  throw new Error(`job ${job} never reached ${batches} batches`);
}

test('the example backfill walks ids with a 5-million gap in full batches and ends as one UPDATE would', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const run = await runRb(['run-script', EXAMPLE], { cwd: repoRoot, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^${EXAMPLE.replace(/\./g, '\\.')}: job "${EXAMPLE_JOB}" finished on .+: 30,000 rows walked in 3 batches \\(30,000 changed\\) in \\d+s, [\\d,]+ rows/s; slowest batch \\d+ ms\\n$`));
  assert.match(run.stderr, `Starting job "${EXAMPLE_JOB}" on `);
  assert.match(run.stderr, ': 30,000 rows of app.my_model in batches of 10,000\n');
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
  assert.equal(await checkpoint(url, EXAMPLE_JOB), { rowsDone: 30000, batches: 3, lastKey: '5010000', finished: true });

  const again = await runRb(['run-script', EXAMPLE], { cwd: repoRoot, env: { DATABASE_URL: url } });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /job "2024-09-20_my_model_populate_model_prop" already finished on .+ \(30,000 rows\); pass --restart to run it again from the first row\n$/);

  const restart = await runRb(['run-script', EXAMPLE, '--restart', '--batch-size', '7000'], { cwd: repoRoot, env: { DATABASE_URL: url } });
  assert.is(restart.code, 0, restart.stderr);
  assert.match(restart.stdout, ': 30,000 rows walked in 5 batches (0 changed)');
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
});

test('--dry-run in batched mode runs the first batch, rolls it back and leaves no checkpoint', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const run = await runRb(['run-script', EXAMPLE, '--dry-run'], { cwd: repoRoot, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0], /^Dry run of backfill\/2024-09-20_my_model_populate_model_prop\.ts on .+: ran the first batch, keys 1\.\.10000 \(10,000 rows\), and rolled it back; nothing was changed\. It had changed:$/);
  assert.equal(lines.slice(1), ['  app.my_model: 10,000 updated', '  10,000 rows reported by the batch; the run for real walks 30,000 rows (this batch included) in batches of 10,000', '']);
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 0, touchedOnce: 0, untouched: 30000 });
  assert.is(await checkpoint(url, EXAMPLE_JOB), null);
});

test('killed with SIGKILL mid-run, a rerun resumes: every row updated exactly once, same state as one UPDATE', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  // The reference: a copy of the table with the seed's change done as one set-based UPDATE.
  await withSql(url, async (sql) => {
    await sql`create table public.expected as select id, model_prop from app.my_model`;
    await sql`update public.expected set model_prop = id::text where model_prop is null`;
  });
  const env = { DATABASE_URL: url };
  const first = startRb(['run-script', EXAMPLE, '--batch-size', '500', '--pause', '40'], { cwd: repoRoot, env: env });
  await waitForBatches(url, EXAMPLE_JOB, 8);
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.is(killed.signal, 'SIGKILL');
  const atKill = await checkpoint(url, EXAMPLE_JOB);
  assert.ok(atKill && !atKill.finished && atKill.rowsDone >= 4000 && atKill.rowsDone < 30000, JSON.stringify(atKill));
  // Whatever batch was in flight was rolled back: the table holds exactly the checkpointed rows.
  const between = await summary(url);
  assert.is(between.touchedOnce, atKill!.rowsDone);
  assert.is(between.asSingleUpdate, atKill!.rowsDone);

  const rerun = await runRb(['run-script', EXAMPLE, '--batch-size', '500'], { cwd: repoRoot, env });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, `Resuming job "${EXAMPLE_JOB}" after key ${atKill!.lastKey}: ${atKill!.rowsDone.toLocaleString('en-US')} of 30,000 rows done by an earlier run\n`);
  assert.match(rerun.stdout, `rows walked in `);
  assert.match(rerun.stdout, `\n  resumed after key ${atKill!.lastKey}: ${atKill!.rowsDone.toLocaleString('en-US')} rows were done by an earlier run\n`);
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
  assert.equal((await checkpoint(url, EXAMPLE_JOB))?.finished, true);
  const differences = await withSql(url, async (sql) => (await sql`
    select count(*)::int as n from (
      (select id, model_prop from app.my_model except select id, model_prop from public.expected)
      union all
      (select id, model_prop from public.expected except select id, model_prop from app.my_model)) d`)[0].n);
  assert.is(differences, 0, 'the same rows and values as the single UPDATE');
});

test('SIGINT stops after the current batch with exit 130 and says how to resume; progress lines without a TTY', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const env = { DATABASE_URL: url, RB_PROGRESS_SECONDS: '0.1' };
  const first = startRb(['run-script', EXAMPLE, '--batch-size', '1000', '--pause', '100'], { cwd: repoRoot, env: env });
  await waitForBatches(url, EXAMPLE_JOB, 3);
  first.child.kill('SIGINT');
  const stopped = await first.done;
  assert.is(stopped.code, 130, stopped.stderr);
  const state = await checkpoint(url, EXAMPLE_JOB);
  assert.ok(state && !state.finished);
  assert.is((await summary(url)).asSingleUpdate, state!.rowsDone, 'the batch in flight finished and was checkpointed');
  assert.match(stopped.stderr, 'rb: SIGINT: stopping after the current batch (send it again to stop at once; the batch in flight is then rolled back)\n');
  assert.match(stopped.stderr, /\nprogress: [\d,]+\/30,000 rows \(\d+\.\d%\), [\d,]+ rows\/s, ETA \S+, \d+ batch(es)?\n/);
  assert.match(
    stopped.stderr,
    `rb: stopped by SIGINT after ${state!.batches} batch(es): ${state!.rowsDone.toLocaleString('en-US')}/30,000 rows of app.my_model done, up to key ${state!.lastKey}; the checkpoint of job "${EXAMPLE_JOB}" is saved: run the same command again to resume\n`,
  );

  const rerun = await runRb(['run-script', EXAMPLE], { cwd: repoRoot, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
});

test('SIGTERM (as from a deploy or container stop) also stops after the batch: exit 143, checkpoint kept', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const first = startRb(['run-script', EXAMPLE, '--batch-size', '1000', '--pause', '100'], { cwd: repoRoot, env: { DATABASE_URL: url } });
  await waitForBatches(url, EXAMPLE_JOB, 2);
  first.child.kill('SIGTERM');
  const stopped = await first.done;
  assert.is(stopped.code, 143, stopped.stderr);
  const state = await checkpoint(url, EXAMPLE_JOB);
  assert.match(stopped.stderr, `rb: stopped by SIGTERM after ${state!.batches} batch(es): `);
  assert.is((await summary(url)).touchedOnce, state!.rowsDone);
});

test('a batch that throws is rolled back with the script line; earlier batches stay and the rerun resumes', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const cwd = tempProject();
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'p', private: true, type: 'module' }));
  mkdirSync(path.join(cwd, 'backfill'));
  const script = (failAt: string) => `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({
  table: 'app.my_model',
  batchSize: 4000,
  async batch({ sql, from, to, args }) {
    const result = await sql\`update app.my_model set model_prop = id::text where id between \${from} and \${to}\`;
    if (Number(to) >= Number(${failAt})) throw new Error(\`bad batch \${from}..\${to} \${args.join(',')}\`);
    return result;
  },
});
`;
  writeFileSync(path.join(cwd, 'backfill', 'fails.ts'), script('12000'));
  const run = await runRb(['run-script', 'backfill/fails.ts', '--', 'x'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 4);
  assert.match(run.stderr, 'rb: backfill/fails.ts:7: bad batch 8001..12000 x; the batch of keys 8001..12000 was rolled back; earlier batches are committed and the checkpoint is saved: fix the script and run the same command again to resume\n');
  assert.equal(await checkpoint(url, 'fails'), { rowsDone: 8000, batches: 2, lastKey: '8000', finished: false });
  assert.equal((await summary(url)).touchedOnce, 8000);

  writeFileSync(path.join(cwd, 'backfill', 'fails.ts'), script('99999999'));
  const rerun = await runRb(['run-script', 'backfill/fails.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, ': 22,000 rows walked in 6 batches (22,000 changed)');
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
});

test('a batch that hits lock_timeout is rolled back and retried; every row is still updated once', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const cwd = tempProject();
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'p', private: true, type: 'module' }));
  mkdirSync(path.join(cwd, 'backfill'));
  writeFileSync(path.join(cwd, 'backfill', 'locked.ts'), `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({
  table: 'app.my_model',
  batchSize: 4000,
  async batch({ sql, from, to }) {
    await sql\`set local lock_timeout = '100ms'\`;
    return sql\`update app.my_model set model_prop = id::text where id between \${from} and \${to}\`;
  },
});
`);
  let started: ReturnType<typeof startRb> | undefined;
  await withSql(url, (sql) =>
    sql.begin(async (tx) => {
      await tx`select id from app.my_model where id = 2 for update`; // as application traffic would
      started = startRb(['run-script', 'backfill/locked.ts'], { cwd, env: { DATABASE_URL: url } });
      for (let i = 0; i < 600 && !started.stderr().includes('[warn]'); i += 1) await sleep(20);
    }),
  ); // the lock is released here, so the retry goes through
  const run = await started!.done;
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, '[warn] batch 1 (keys 1..4000) hit lock_timeout (SQLSTATE 55P03) and was rolled back; retrying in 0.5s (attempt 2 of 4)\n');
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
});

test('on a terminal, progress redraws one line: rows done/total, rate, ETA', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  // util-linux script(1) gives rb a pseudo-terminal; its output arrives on stdout with \r\n line ends.
  const command = `DATABASE_URL='${url}' '${process.execPath}' '${rbBin}' run-script ${EXAMPLE} --batch-size 2000 --pause 30`;
  const run = await runProcess('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env: { PATH: process.env.PATH } });
  assert.is(run.code, 0, run.stdout);
  const redraws = run.stdout.split('\r\x1b[K').slice(1);
  assert.ok(redraws.length >= 3, JSON.stringify(run.stdout));
  for (const line of redraws.slice(0, -1)) assert.match(line, /^[\d,]+\/30,000 rows \(\d+\.\d%\), [\d,]+ rows\/s, ETA \S+, \d+ batch(es)?$/);
  assert.match(redraws[redraws.length - 1], /^30,000\/30,000 rows \(100\.0%\), [\d,]+ rows\/s, ETA 0s, 15 batches\r\n.*: 30,000 rows walked in 15 batches \(30,000 changed\)/);
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
});

test('two runs of the same job at once share the batches: every row is updated exactly once', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seedWithGap(url);
  const env = { DATABASE_URL: url };
  // 30 batches with a 100 ms pause each: the two runs overlap for seconds.
  const one = startRb(['run-script', EXAMPLE, '--batch-size', '1000', '--pause', '100'], { cwd: repoRoot, env: env });
  const two = startRb(['run-script', EXAMPLE, '--batch-size', '1000', '--pause', '100'], { cwd: repoRoot, env: env });
  const [a, b] = await Promise.all([one.done, two.done]);
  assert.is(a.code, 0, a.stderr);
  assert.is(b.code, 0, b.stderr);
  const walked = (run: RbRun) => Number(/: ([\d,]+) rows walked in/.exec(run.stdout)![1].replace(/,/g, ''));
  assert.is(walked(a) + walked(b), 30000);
  assert.ok(walked(a) > 0 && walked(b) > 0, 'both runs took batches');
  assert.equal(await summary(url), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
  assert.equal(await checkpoint(url, EXAMPLE_JOB), { rowsDone: 30000, batches: 30, lastKey: '5010000', finished: true });
});

test('--prod: batched runs go through the production guard; --yes runs them on PROD_DATABASE_URL only', async () => {
  const local = await createMigratedDatabase(import.meta.url);
  const prod = await createMigratedDatabase(import.meta.url);
  await seedWithGap(local);
  await seedWithGap(prod);
  const env = { DATABASE_URL: local, PROD_DATABASE_URL: prod };
  const refused = await runRb(['run-script', EXAMPLE, '--prod'], { cwd: repoRoot, env });
  assert.is(refused.code, 5);
  assert.match(refused.stderr, '  - walk app.my_model by id in batches of 10,000 rows, committing each batch (checkpoint job "2024-09-20_my_model_populate_model_prop")\n');
  assert.match(refused.stderr, 'rb: refusing to touch production (');
  assert.is(await checkpoint(prod, EXAMPLE_JOB), null);
  assert.is((await summary(prod)).untouched, 30000);

  const run = await runRb(['run-script', EXAMPLE, '--prod', '--yes'], { cwd: repoRoot, env });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, ' finished on PRODUCTION ');
  assert.equal(await summary(prod), { rows: 30000, asSingleUpdate: 30000, touchedOnce: 30000, untouched: 0 });
  assert.equal(await summary(local), { rows: 30000, asSingleUpdate: 0, touchedOnce: 0, untouched: 30000 });
});

test('a batched script naming a missing table: one line, exit 2', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  const cwd = tempProject();
  mkdirSync(path.join(cwd, 'backfill'));
  writeFileSync(path.join(cwd, 'backfill', 'missing.ts'), `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({ table: 'app.nope', async batch() {} });
`);
  const run = await runRb(['run-script', 'backfill/missing.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 2);
  assert.is(run.stderr, 'rb: backfill/missing.ts: table "app.nope" does not exist in this database; name a schema-qualified table in batchedBackfill({ table: ... })\n');
});

test.run();
