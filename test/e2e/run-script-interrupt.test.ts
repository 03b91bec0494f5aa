/**
 * rb run-script stopped from outside: Ctrl-C / SIGTERM must stop the work on the server too (no
 * statement left running, holding its locks), and a lost connection is a connection error (3)
 * that leaves the checkpoint consistent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase, repoRoot, withSql } from '../support/databases.ts';
import { runRb, startRb, tempProject, runtimeEntry } from '../support/project.ts';
import { dedicatedServer } from '../support/server.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { withDatabase } from '../../src/target/database-url.ts';


function project(files: Record<string, string>): string {
  const dir = tempProject();
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rb-test-project', private: true, type: 'module' }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function seed(url: string, rows: number): Promise<void> {
  await withSql(url, (sql) => sql`insert into app.my_model (id) select g from generate_series(1, ${rows}) g`);
}

/** rb's sessions on the database (the script's `rb run-script <file> (pid N on host)`, rb's own `rb`), the test's own connection left out. */
const rbSessions = (url: string) =>
  withSql(url, async (sql) => sql<{ pid: number; state: string; query: string; application_name: string }[]>`
    select pid, state, query, application_name from pg_stat_activity
     where datname = current_database() and (application_name = 'rb' or application_name like 'rb run-script %') and pid <> pg_backend_pid()`);

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, ms = 15000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < ms; await sleep(25)) if (await check()) return;
  throw new Error(`timed out waiting until ${what}`);
}

/** Waits until rb runs pg_sleep on the server (the script is mid-statement, holding its locks). */
const sleepingOnServer = (url: string) =>
  waitUntil('rb sleeps on the server', async () => (await rbSessions(url)).some((s) => s.state === 'active' && s.query.includes('pg_sleep')));

/** The row lock is free: another session takes it at once (lock_timeout 500ms, else 55P03). */
const rowIsFree = (url: string, id: number) =>
  withSql(url, (sql) => sql.begin(async (tx) => {
    await tx`set local lock_timeout = '500ms'`;
    return (await tx`select id from app.my_model where id = ${id} for update`).length === 1;
  }));

const filled = (url: string) =>
  withSql(url, async (sql) => Number((await sql`select count(*) as n from app.my_model where model_prop is not null`)[0].n));

const checkpoint = (url: string, job: string) =>
  withSql(url, async (sql) => {
    const rows = await sql<{ rows_done: string; batches: number; last_key: string | null; finished: boolean }[]>`
      select rows_done, batches, last_key, finished_at is not null as finished from public.rb_backfill_checkpoints where job = ${job}`;
    return rows.length ? { rowsDone: Number(rows[0].rows_done), batches: rows[0].batches, lastKey: rows[0].last_key, finished: rows[0].finished } : null;
  });

/** No rb session is left on the database within two seconds of rb's exit. */
async function noRbSessionWithin2s(url: string): Promise<void> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const left = await rbSessions(url);
    if (left.length === 0) return;
    if (Date.now() > deadline) assert.unreachable(`rb sessions left: ${JSON.stringify(left)}`);
    await sleep(50);
  }
}

const HOLD_AND_SLEEP = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql, log }) => {
  await sql\`update app.my_model set model_prop = 'held' where id = 1\`;
  log.info('holding the row lock');
  await sql\`select pg_sleep(60)\`;
};
export default backfill;
`;

test('Ctrl-C of a one-transaction script cancels its statement on the server and rolls back: exit 130, lock free, no rb session left', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 3);
  const cwd = project({ 'backfill/hold.ts': HOLD_AND_SLEEP });
  const rb = startRb(['run-script', 'backfill/hold.ts'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  const locked = await rowIsFree(url, 1).then(() => 'free', (error: { code?: string }) => error.code);
  assert.is(locked, '55P03', 'the script holds the row lock while it sleeps');
  const signalled = Date.now();
  rb.child.kill('SIGINT');
  const run = await rb.done;
  assert.ok(Date.now() - signalled < 5000, `rb took ${Date.now() - signalled} ms to stop`);
  assert.is(run.code, 130, run.stderr);
  assert.match(run.stderr, /^\[info\] holding the row lock\nrb: SIGINT: cancelling the running statement and rolling back\nrb: stopped by SIGINT: backfill\/hold\.ts was cancelled on .+ and its transaction rolled back; nothing was changed\n$/);
  assert.is(run.stdout, '');
  await noRbSessionWithin2s(url);
  assert.ok(await rowIsFree(url, 1));
  assert.is(await filled(url), 0, 'the update was rolled back');
});

test('SIGTERM of a script that swallows the cancel and stays busy: rb ends its session (exit 143), the lock is freed', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 3);
  const script = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql, log }) => {
  await sql\`update app.my_model set model_prop = 'held' where id = 1\`;
  try {
    await sql\`select pg_sleep(60)\`;
  } catch (error) {
    log.warn('ignoring', { code: (error as { code?: string }).code });
  }
  await new Promise((resolve) => setTimeout(resolve, 60_000));
};
export default backfill;
`;
  const cwd = project({ 'backfill/stubborn.ts': script });
  const rb = startRb(['run-script', 'backfill/stubborn.ts'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  const signalled = Date.now();
  rb.child.kill('SIGTERM');
  const run = await rb.done;
  assert.ok(Date.now() - signalled < 8000, `rb took ${Date.now() - signalled} ms to stop`);
  assert.is(run.code, 143, run.stderr);
  assert.match(run.stderr, '[warn] ignoring code=57014\n', 'the statement was cancelled (query_canceled)');
  assert.match(run.stderr, /rb: stopped by SIGTERM: backfill\/stubborn\.ts was cancelled on .+ and its transaction rolled back; nothing was changed\n$/);
  await noRbSessionWithin2s(url);
  assert.ok(await rowIsFree(url, 1));
  assert.is(await filled(url), 0);
});

const BATCHED_SLEEPER = `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({
  table: 'app.my_model',
  batchSize: 100,
  async batch({ sql, from, to, batch, args }) {
    const result = await sql\`update app.my_model set model_prop = id::text where id between \${from} and \${to}\`;
    if (args[0] === 'sleep' && batch === 2) await sql\`select pg_sleep(60)\`;
    return result;
  },
});
`;

test('a second Ctrl-C of a batched run cancels the batch in flight on the server: exit 130, checkpoint kept, lock free, rerun completes', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 300);
  const cwd = project({ 'backfill/sleeper.ts': BATCHED_SLEEPER });
  const rb = startRb(['run-script', 'backfill/sleeper.ts', '--', 'sleep'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  rb.child.kill('SIGINT');
  await waitUntil('rb says it stops after the batch', () => rb.stderr().includes('stopping after the current batch'));
  const signalled = Date.now();
  rb.child.kill('SIGINT');
  const run = await rb.done;
  assert.ok(Date.now() - signalled < 5000, `rb took ${Date.now() - signalled} ms to stop`);
  assert.is(run.code, 130, run.stderr);
  assert.match(
    run.stderr,
    'rb: stopped by SIGINT after 1 batch(es) and the batch in flight (keys 101..200) was cancelled and rolled back: 100/300 rows of app.my_model done, up to key 100; the checkpoint of job "sleeper" is saved: run the same command again to resume\n',
  );
  await noRbSessionWithin2s(url);
  assert.ok(await rowIsFree(url, 150));
  assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 100, batches: 1, lastKey: '100', finished: false });
  assert.is(await filled(url), 100);

  const rerun = await runRb(['run-script', 'backfill/sleeper.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, ': 200 rows walked in 2 batches (200 changed)');
  assert.is(await filled(url), 300);
});

test("kill -9 during a batch that holds its row locks: the rerun names the killed run's session in one line, waits for it to end, then resumes and finishes", async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 300);
  const script = BATCHED_SLEEPER.replace('await sql\`select pg_sleep(60)\`', 'await sql\`select pg_sleep(4)\`');
  const cwd = project({ 'backfill/sleeper.ts': script });
  const first = startRb(['run-script', 'backfill/sleeper.ts', '--', 'sleep'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  const killedPid = first.child.pid!;
  first.child.kill('SIGKILL');
  assert.is((await first.done).signal, 'SIGKILL');
  const [orphan] = await rbSessions(url);
  assert.is(orphan.application_name, `rb run-script backfill/sleeper.ts (pid ${killedPid} on ${os.hostname()})`, 'the session is named after the script and its rb');
  assert.is(orphan.query, 'select pg_sleep(4)');
  assert.is((await rowIsFree(url, 150).then(() => 'free', (error: { code?: string }) => error.code)), '55P03', 'the killed batch still holds its row locks');

  const rerun = await runRb(['run-script', 'backfill/sleeper.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  const lines = rerun.stderr.split('\n');
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(
    lines[0],
    new RegExp(
      `^${escape(`waiting for a session of rb run-script backfill/sleeper.ts left by an rb that was killed (pid ${killedPid}): backend pid ${orphan.pid}, active for `)}\\d+s` +
        `${escape(`: select pg_sleep(4); it holds its transaction's locks until its statement ends (then the server rolls it back); end it at once with select pg_terminate_backend(${orphan.pid})`)}$`,
    ),
    rerun.stderr,
  );
  assert.is(lines[1], 'Resuming job "sleeper" after key 100: 100 of 300 rows done by an earlier run');
  assert.match(rerun.stdout, ': 200 rows walked in 2 batches (200 changed)');
  assert.is(await filled(url), 300);
  assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 300, batches: 3, lastKey: '300', finished: true });
});

test("Ctrl-C while a rerun waits for a killed run's session: exit 130, nothing changed, the checkpoint as the killed run left it", async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 300);
  const script = BATCHED_SLEEPER.replace('await sql\`select pg_sleep(60)\`', 'await sql\`select pg_sleep(8)\`');
  const cwd = project({ 'backfill/sleeper.ts': script });
  const first = startRb(['run-script', 'backfill/sleeper.ts', '--', 'sleep'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  first.child.kill('SIGKILL');
  await first.done;
  const [orphan] = await rbSessions(url);
  const rerun = startRb(['run-script', 'backfill/sleeper.ts'], { cwd, env: { DATABASE_URL: url } });
  await waitUntil('the rerun says it waits', () => rerun.stderr().startsWith('waiting for a session of rb run-script backfill/sleeper.ts'));
  rerun.child.kill('SIGINT');
  const stopped = await rerun.done;
  assert.is(stopped.code, 130, stopped.stderr);
  assert.is(
    stopped.stderr.split('\n').slice(1).join('\n'),
    'rb: SIGINT: stopping after the current batch (send it again to stop at once; the batch in flight is then rolled back)\n' +
      `rb: stopped by SIGINT while waiting for the session of a killed run of backfill/sleeper.ts to end (backend pid ${orphan.pid}); nothing was changed\n`,
  );
  assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 100, batches: 1, lastKey: '100', finished: false });
});

test('Ctrl-C of a batched --dry-run cancels its batch at once (it keeps nothing anyway): exit 130, lock free', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 300);
  const script = BATCHED_SLEEPER.replace("batch === 2", "batch === 1");
  const cwd = project({ 'backfill/sleeper.ts': script });
  const rb = startRb(['run-script', 'backfill/sleeper.ts', '--dry-run', '--', 'sleep'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  rb.child.kill('SIGINT');
  const run = await rb.done;
  assert.is(run.code, 130, run.stderr);
  assert.match(run.stderr, /^rb: SIGINT: cancelling the dry run's batch and rolling back\nrb: stopped by SIGINT: the dry run's batch was cancelled on .+ and rolled back; nothing was changed\n$/);
  await noRbSessionWithin2s(url);
  assert.ok(await rowIsFree(url, 50));
  assert.is(await filled(url), 0);
  const [table] = await withSql(url, (sql) => sql`select to_regclass('public.rb_backfill_checkpoints') as t`);
  assert.is(table.t, null, 'a dry run writes no checkpoint');
});

test('a batched run whose session the server ends (pg_terminate_backend) exits 3 naming the lost connection; the rerun completes', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 300);
  const cwd = project({ 'backfill/sleeper.ts': BATCHED_SLEEPER });
  const rb = startRb(['run-script', 'backfill/sleeper.ts', '--', 'sleep'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  const [target] = (await rbSessions(url)).filter((s) => s.query.includes('pg_sleep'));
  await withSql(url, (sql) => sql`select pg_terminate_backend(${target.pid})`);
  const run = await rb.done;
  assert.is(run.code, 3, run.stderr);
  assert.match(
    run.stderr,
    /\nrb: lost the connection to postgres:\/\/[^ ]+ during batch 2 \(keys 101\.\.200\): the server or the network closed the connection \(a restart, a crash, pg_terminate_backend\); 100 rows are done and each batch commits together with its checkpoint: run the same command again to resume from the last committed batch\n$/,
  );
  assert.not.match(run.stderr, 'internal error');
  assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 100, batches: 1, lastKey: '100', finished: false });
  assert.is(await filled(url), 100, 'the batch in flight was rolled back with the session');

  const rerun = await runRb(['run-script', 'backfill/sleeper.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, 'Resuming job "sleeper" after key 100: 100 of 300 rows done by an earlier run\n');
  assert.is(await filled(url), 300);
  assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 300, batches: 3, lastKey: '300', finished: true });
});

test('a server restart in the middle of a batched run: exit 3 naming the lost connection; after the restart the rerun completes', async () => {
  const server = await dedicatedServer();
  try {
    await withSql(server.adminUrl, (sql) => sql`create database app_db`);
    const url = withDatabase(server.adminUrl, 'app_db');
    const migrated = await runDbmate({ url, migrationsDir: path.join(repoRoot, 'db', 'migrations') }, ['migrate']);
    assert.ok(migrated.ok, migrated.stderr);
    await seed(url, 300);
    const cwd = project({ 'backfill/sleeper.ts': BATCHED_SLEEPER });
    const rb = startRb(['run-script', 'backfill/sleeper.ts', '--', 'sleep'], { cwd, env: { DATABASE_URL: url } });
    await sleepingOnServer(url);
    await server.stop(); // pg_ctl stop -m fast, the first half of a restart
    const run = await rb.done;
    assert.is(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /\nrb: lost the connection to postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/app_db\?sslmode=disable during batch 2 \(keys 101\.\.200\): .+; 100 rows are done and each batch commits together with its checkpoint: run the same command again to resume from the last committed batch\n$/,
    );
    assert.not.match(run.stderr, 'internal error');

    await server.start();
    assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 100, batches: 1, lastKey: '100', finished: false });
    assert.is(await filled(url), 100);
    const rerun = await runRb(['run-script', 'backfill/sleeper.ts'], { cwd, env: { DATABASE_URL: url } });
    assert.is(rerun.code, 0, rerun.stderr);
    assert.is(await filled(url), 300);
    assert.equal(await checkpoint(url, 'sleeper'), { rowsDone: 300, batches: 3, lastKey: '300', finished: true });
  } finally {
    await server.stop();
  }
});

test('a one-transaction script whose session the server ends exits 3: nothing was changed', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 3);
  const cwd = project({ 'backfill/hold.ts': HOLD_AND_SLEEP });
  const rb = startRb(['run-script', 'backfill/hold.ts'], { cwd, env: { DATABASE_URL: url } });
  await sleepingOnServer(url);
  const [target] = (await rbSessions(url)).filter((s) => s.query.includes('pg_sleep'));
  await withSql(url, (sql) => sql`select pg_terminate_backend(${target.pid})`);
  const run = await rb.done;
  assert.is(run.code, 3, run.stderr);
  assert.match(
    run.stderr,
    /\nrb: lost the connection to postgres:\/\/[^ ]+ while backfill\/hold\.ts ran: the server or the network closed the connection \(a restart, a crash, pg_terminate_backend\); its transaction was rolled back, nothing was changed\n$/,
  );
  assert.is(await filled(url), 0);
});

test('a script that calls process.exit(0) fails (exit 4) naming the script line; its transaction is rolled back', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 5);
  const single = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql }) => {
  await sql\`update app.my_model set model_prop = id::text\`;
  process.exit(0);
};
export default backfill;
`;
  const caught = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql }) => {
  await sql\`update app.my_model set model_prop = id::text\`;
  try {
    process.exit(0);
  } catch {
    // a script that swallows everything still does not commit
  }
};
export default backfill;
`;
  const batched = `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({
  table: 'app.my_model',
  async batch({ sql, from, to }) {
    await sql\`update app.my_model set model_prop = id::text where id between \${from} and \${to}\`;
    process.exit(0);
  },
});
`;
  const cwd = project({ 'backfill/exits.ts': single, 'backfill/catches.ts': caught, 'backfill/batch-exits.ts': batched });
  const env = { DATABASE_URL: url };

  const run = await runRb(['run-script', 'backfill/exits.ts'], { cwd, env });
  assert.is(run.code, 4, run.stderr);
  assert.is(run.stderr, 'rb: backfill/exits.ts:4: the script called process.exit(0); a backfill must return to commit or throw to roll back; the transaction was rolled back, nothing was changed\n');
  assert.is(run.stdout, '');

  const swallowed = await runRb(['run-script', 'backfill/catches.ts'], { cwd, env });
  assert.is(swallowed.code, 4, swallowed.stderr);
  assert.is(swallowed.stderr, 'rb: backfill/catches.ts:5: the script called process.exit(0); a backfill must return to commit or throw to roll back; the transaction was rolled back, nothing was changed\n');

  const inBatch = await runRb(['run-script', 'backfill/batch-exits.ts'], { cwd, env });
  assert.is(inBatch.code, 4, inBatch.stderr);
  assert.match(inBatch.stderr, 'rb: backfill/batch-exits.ts:6: the script called process.exit(0); a backfill must return to commit or throw to roll back; the batch of keys 1..5 was rolled back; nothing was changed\n');
  assert.is(await filled(url), 0);
  await noRbSessionWithin2s(url);
});

test.run();
