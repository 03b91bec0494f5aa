import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeUrl } from '../../src/target/database-url.ts';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, startRb, tempProject } from '../support/project.ts';
import { dedicatedServer } from '../support/server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until a dbmate session rb started on url runs pg_sleep (a migration is under way). */
async function waitForSleepingMigration(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await withSql(url, (sql) =>
      sql`select 1 from pg_stat_activity where datname = current_database() and application_name like 'rb dbmate (pid %' and state = 'active' and query like '%pg_sleep%'`,
    );
    if (rows.length) return;
    if (Date.now() > deadline) throw new Error('no migration started sleeping');
    await sleep(50);
  }
}

const counts = (url: string) =>
  withSql(url, async (sql) => (await sql`select file, count(*)::int as n from runs group by file order by file`).map((r) => `${r.file}:${r.n}`));
const versions = (url: string) =>
  withSql(url, async (sql) => (await sql`select version from public.schema_migrations order by version`).map((r) => r.version as string));
const dbmateSessions = (url: string) =>
  withSql(url, async (sql) =>
    (await sql`select pid from pg_stat_activity where datname = current_database() and application_name like 'rb dbmate (pid %'`).map((r) => r.pid as number),
  );

const CREATE_RUNS = '20240101000001_runs.sql';
const SLOW = '20240101000002_slow.sql';
const LATER = '20240101000003_later.sql';
const runs = migration('create table runs (n int, file text);', 'drop table runs;');
const later = migration("insert into runs select g, '003' from generate_series(1, 3) g;", "delete from runs where file = '003';");
/** Inserts 3 rows, then sleeps (in a transaction). */
const slowTransactional = migration("insert into runs select g, '002' from generate_series(1, 3) g;\nselect pg_sleep(4);", "delete from runs where file = '002';");
/** One statement outside a transaction that sleeps, then inserts 3 rows. */
const slowNonTransactional =
  "-- migrate:up transaction:false\nwith s as (select pg_sleep(4)) insert into runs select g, '002' from generate_series(1, 3) g, s;\n\n" +
  "-- migrate:down transaction:false\ndelete from runs where file = '002';\n";

/** The line a rerun prints while a killed rb's dbmate (that rb's pid) still runs a migration. */
const waitLine = (killedPid: number) =>
  new RegExp(
    `^waiting for a dbmate left by an rb that was killed \\(pid ${killedPid}\\) to finish \\(\\d+s so far; dbmate carries on after its rb is gone\\): ` +
      'backend pid \\d+, active for \\d+s: -- migrate:(up|down)[^\\n]*\\n',
  );

/** Waits until no dbmate session is left on url (a killed rb's dbmate finished). */
async function waitForNoDbmate(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await dbmateSessions(url)).length) {
    if (Date.now() > deadline) throw new Error('the dbmate session did not end');
    await sleep(50);
  }
}

const schemaFile = (cwd: string) => readFileSync(path.join(cwd, 'db', 'schema.sql'), 'utf8');
/** The versions at the end of db/schema.sql, as dbmate writes them. */
const schemaVersions = (cwd: string) => [...schemaFile(cwd).matchAll(/^ {4}\('(\d+)'\)[,;]$/gm)].map((m) => m[1]);

/** rb's temporary migration directories whose process is `pid`. */
const tempDirsOf = (pid: number) => readdirSync(os.tmpdir()).filter((name) => name.startsWith(`rb-migrations-${pid}-`));

for (const [kind, slow] of [['transactional', slowTransactional], ['transaction:false', slowNonTransactional]] as const) {
  test(`kill -9 of rb upgrade mid-migration (${kind}), rerun at once: every migration applied exactly once; the next run removes the killed run's temp directory`, async () => {
    const url = await createEmptyDatabase(import.meta.url);
    const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: slow, [LATER]: later });
    const first = startRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
    await waitForSleepingMigration(url);
    const killedPid = first.child.pid!;
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.is(killed.signal, 'SIGKILL');
    assert.is(tempDirsOf(killedPid).length, 1, 'kill -9 leaves the temporary directory behind');

    // At once: the killed rb's dbmate is still applying the slow migration.
    const rerun = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
    assert.is(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, waitLine(killedPid));
    assert.match(rerun.stdout, `Applied: ${LATER}\n`);
    assert.not.match(rerun.stdout, `Applied: ${SLOW}`);
    assert.equal(await counts(url), ['002:3', '003:3'], 'each migration inserted its rows once');
    assert.equal(await versions(url), ['20240101000001', '20240101000002', '20240101000003']);
    await withSql(url, async (sql) => {
      const records = await sql`select version, state from public.rb_migrations order by version`;
      assert.equal(records.map((r) => `${r.version} ${r.state}`), ['20240101000001 applied', '20240101000002 applied', '20240101000003 applied']);
    });
    assert.equal(tempDirsOf(killedPid), [], 'the rerun removed the killed run\'s temporary directory');
    const again = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, 'up to date, nothing to apply');
  });
}

/** Creates a table, then sleeps (in a transaction). */
const slowTable = migration('create table slow_done (id int);\nselect pg_sleep(4);', 'drop table slow_done;');

for (const when of ['after the orphaned dbmate finished', 'while the orphaned dbmate still runs']) {
  test(`kill -9 of rb upgrade during the last migration; rerun ${when}: db/schema.sql is rewritten with the new table, in one line`, async () => {
    const url = await createEmptyDatabase(import.meta.url);
    const cwd = tempProject({ [CREATE_RUNS]: runs });
    const env = { DATABASE_URL: url };
    assert.is((await runRb(['upgrade'], { cwd, env })).code, 0);
    assert.equal(schemaVersions(cwd), ['20240101000001']);
    writeFileSync(path.join(cwd, 'db', 'migrations', SLOW), slowTable);
    const first = startRb(['upgrade'], { cwd, env });
    await waitForSleepingMigration(url);
    const killedPid = first.child.pid!;
    first.child.kill('SIGKILL');
    assert.is((await first.done).signal, 'SIGKILL');
    if (when.startsWith('after')) await waitForNoDbmate(url);

    const rerun = await runRb(['upgrade'], { cwd, env });
    assert.is(rerun.code, 0, rerun.stderr);
    assert.is(
      rerun.stdout,
      `${describeUrl(url)} (from DATABASE_URL): up to date, nothing to apply\n` +
        'Wrote db/schema.sql: it did not match the migrations applied to this database (missing 20240101000002); an earlier rb stopped before writing it\n',
    );
    if (when.startsWith('after')) assert.is(rerun.stderr, '');
    else assert.match(rerun.stderr, new RegExp(`${waitLine(killedPid).source}$`));
    assert.equal(await versions(url), ['20240101000001', '20240101000002']);
    assert.equal(schemaVersions(cwd), ['20240101000001', '20240101000002']);
    assert.match(schemaFile(cwd), 'CREATE TABLE public.slow_done (\n');
    assert.not.match(schemaFile(cwd), 'rb_migrations', 'written by the same code path as a normal upgrade (bookkeeping stripped)');

    // The file matches again: nothing is written (and no pg_dump runs).
    const again = await runRb(['upgrade'], { cwd, env });
    assert.is(again.stdout, `${describeUrl(url)} (from DATABASE_URL): up to date, nothing to apply\n`);
    if (when.startsWith('after')) {
      const check = await runRb(['check', '--only', 'generated'], { cwd, env: { ...env, RB_PROGRESS_SECONDS: '600' } });
      assert.is(check.code, 0, check.stdout + check.stderr);
    }
  });
}

test('kill -9 of rb downgrade of the only migration; after its dbmate finished, the rerun has nothing to roll back and rewrites db/schema.sql', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [CREATE_RUNS]: migration('create table runs (n int, file text);', 'drop table runs;\nselect pg_sleep(3);') });
  const env = { DATABASE_URL: url };
  assert.is((await runRb(['upgrade'], { cwd, env })).code, 0);
  assert.equal(schemaVersions(cwd), ['20240101000001']);
  const first = startRb(['downgrade'], { cwd, env });
  await waitForSleepingMigration(url);
  first.child.kill('SIGKILL');
  assert.is((await first.done).signal, 'SIGKILL');
  await waitForNoDbmate(url);

  const rerun = await runRb(['downgrade'], { cwd, env });
  assert.is(rerun.code, 2, rerun.stderr);
  assert.is(
    rerun.stderr,
    'rb: nothing to roll back: no migration is applied to this database; wrote db/schema.sql: it did not match the migrations applied to this database ' +
      '(listing 20240101000001, no longer applied); an earlier rb stopped before writing it\n',
  );
  assert.equal(schemaVersions(cwd), []);
  assert.not.match(schemaFile(cwd), 'CREATE TABLE public.runs');
});

test("kill -9 of rb downgrade mid-rollback, rerun at once: it names the killed rb's dbmate, waits for it, says what it rolled back and rewrites db/schema.sql", async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const slowDown = migration("insert into runs values (1, '003');", "delete from runs where file = '003';\nselect pg_sleep(4);");
  const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: later, [LATER]: slowDown });
  const env = { DATABASE_URL: url };
  assert.is((await runRb(['upgrade'], { cwd, env })).code, 0);
  assert.equal(schemaVersions(cwd), ['20240101000001', '20240101000002', '20240101000003']);
  const first = startRb(['downgrade'], { cwd, env });
  await waitForSleepingMigration(url);
  const killedPid = first.child.pid!;
  first.child.kill('SIGKILL');
  assert.is((await first.done).signal, 'SIGKILL');

  const rerun = await runRb(['downgrade'], { cwd, env });
  assert.is(rerun.code, 4, rerun.stderr);
  assert.is(rerun.stdout, '');
  const lines = rerun.stderr.split('\n');
  assert.match(`${lines[0]}\n`, waitLine(killedPid));
  assert.is(
    lines.slice(1).join('\n'),
    `rb: a dbmate left by an rb that was killed (pid ${killedPid}) rolled back ${LATER} while this rb waited for it to finish; this rb rolled back nothing; ` +
      'wrote db/schema.sql: it did not match the migrations applied to this database (listing 20240101000003, no longer applied); an earlier rb stopped before writing it; ' +
      'run rb status, then rb downgrade again if there is more to roll back\n',
  );
  assert.not.match(rerun.stderr, 'another rb migrated');
  assert.equal(await versions(url), ['20240101000001', '20240101000002'], 'rolled back once, by the orphaned dbmate');
  assert.equal(schemaVersions(cwd), ['20240101000001', '20240101000002']);
  await withSql(url, async (sql) => {
    const records = await sql`select version from public.rb_migrations order by version`;
    assert.equal(records.map((r) => r.version), ['20240101000001', '20240101000002'], 'rb_migrations follows what is applied');
  });
});

test('SIGTERM during a transactional migration: dbmate and its session end with rb, the migration is rolled back, exit 143 says what was applied', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: slowTransactional, [LATER]: later });
  const run = startRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  await waitForSleepingMigration(url);
  const pid = run.child.pid!;
  run.child.kill('SIGTERM');
  const stopped = await run.done;
  assert.is(stopped.code, 143, stopped.stderr);
  assert.is(
    stopped.stderr,
    `rb: stopped by SIGTERM: applied ${CREATE_RUNS}; ${SLOW} was cut off and rolled back; 1 more not run; db/schema.sql was not rewritten; ` +
      'run rb upgrade again to apply the rest\n',
  );
  assert.equal(await dbmateSessions(url), [], 'no dbmate session is left on the server');
  const processes = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`rb-migrations-${pid}-`);
    } catch {
      return false;
    }
  });
  assert.equal(processes, [], 'dbmate ended with rb');
  assert.equal(await counts(url), [], 'the cut-off migration left no rows');
  assert.equal(await versions(url), ['20240101000001']);
  const rerun = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(await counts(url), ['002:3', '003:3']);
});

test('SIGTERM during a transaction:false migration: it is recorded as failed, rb upgrade refuses it until --retry-failed, which applies it once', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: slowNonTransactional, [LATER]: later });
  const run = startRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  await waitForSleepingMigration(url);
  run.child.kill('SIGTERM');
  const stopped = await run.done;
  assert.is(stopped.code, 143, stopped.stderr);
  assert.is(
    stopped.stderr,
    `rb: stopped by SIGTERM: applied ${CREATE_RUNS}; ${SLOW} runs outside a transaction (transaction:false), was cut off and may have run part-way: ` +
      'rb recorded it as failed; undo or finish by hand what it applied, make the file safe to re-run (IF NOT EXISTS / IF EXISTS), then run rb upgrade --retry-failed; ' +
      '1 more not run; db/schema.sql was not rewritten\n',
  );
  assert.equal(await dbmateSessions(url), []);
  const status = await runRb(['status'], { cwd, env: { DATABASE_URL: url } });
  assert.match(status.stdout, `failed (transaction:false, part-way; see rb upgrade)  ${SLOW}\n`);
  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(refused.code, 4);
  assert.match(refused.stderr, `(cut off by SIGTERM while it ran outside a transaction; it may have run part-way)`);
  const retried = await runRb(['upgrade', '--retry-failed'], { cwd, env: { DATABASE_URL: url } });
  assert.is(retried.code, 0, retried.stderr);
  assert.equal(await counts(url), ['002:3', '003:3']);
});

test('SIGINT during rb downgrade: the down that ran is rolled back, exit 130 names what was rolled back', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const slowDown = migration("insert into runs values (1, '002');", "delete from runs where file = '002';\nselect pg_sleep(3);");
  const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: slowDown, [LATER]: later });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  const run = startRb(['downgrade', '2'], { cwd, env: { DATABASE_URL: url } });
  await waitForSleepingMigration(url);
  run.child.kill('SIGINT');
  const stopped = await run.done;
  assert.is(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stdout, '');
  assert.is(
    stopped.stderr,
    `rb: stopped by SIGINT: rolled back ${LATER}; rolling back ${SLOW} was cut off and undone (it stays applied); db/schema.sql was not rewritten; ` +
      'run rb downgrade again to roll back the rest\n',
  );
  assert.equal(await versions(url), ['20240101000001', '20240101000002']);
  assert.equal(await counts(url), ['002:1']);
  await withSql(url, async (sql) => {
    const records = await sql`select version from public.rb_migrations order by version`;
    assert.equal(records.map((r) => r.version), ['20240101000001', '20240101000002'], 'rb_migrations follows what is applied');
  });
});

test('kill -9 of rb check leaves its scratch database; the next rb check drops it and names it in one line on stderr (--json stdout stays JSON)', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const files: Record<string, string> = {};
  for (let i = 1; i <= 40; i++) files[`202401010000${String(i).padStart(2, '0')}_t${i}.sql`] = migration(`create table t${i} (id int);`, `drop table t${i};`);
  const cwd = tempProject(files);
  const scratch = (pid: number) =>
    withSql(url, async (sql) => (await sql`select datname from pg_database where datname like ${`rb\\_check\\_${pid}\\_%`}`).map((r) => r.datname as string));
  const run = startRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url } });
  const pid = run.child.pid!;
  const deadline = Date.now() + 30_000;
  while ((await scratch(pid)).length === 0) {
    assert.ok(Date.now() < deadline, 'rb check never created its scratch database');
    await sleep(50);
  }
  run.child.kill('SIGKILL');
  await run.done;
  const [left] = await scratch(pid);
  assert.ok(left, 'kill -9 leaves the scratch database');
  const next = await runRb(['check', '--skip', 'lint,generated', '--json'], { cwd, env: { DATABASE_URL: url, RB_PROGRESS_SECONDS: '600' } });
  assert.is(next.code, 0, next.stdout + next.stderr);
  assert.is(next.stderr, `rb check: dropped ${left}, a scratch database left by an rb that was killed (pid ${pid})\n`);
  assert.is(JSON.parse(next.stdout).ok, true, 'stdout is the JSON document alone');
  assert.equal(await scratch(pid), [], 'the next check dropped it');
  const again = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url, RB_PROGRESS_SECONDS: '600' } });
  assert.is(again.stderr, '', 'nothing left to drop, nothing said');
});

test('a server restart during rb upgrade: exit 3 naming the lost connection; the migration was rolled back; a rerun completes', async () => {
  const server = await dedicatedServer();
  await withSql(server.adminUrl, (sql) => sql`create database app`);
  const url = server.adminUrl.replace('/postgres?', '/app?');
  const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: slowTransactional, [LATER]: later });
  const run = startRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  await waitForSleepingMigration(url);
  await server.stop();
  await server.start();
  const lost = await run.done;
  assert.is(lost.code, 3, lost.stderr);
  assert.match(
    lost.stderr,
    new RegExp(
      `^rb: lost the connection to the database while ${SLOW} ran; the server rolled it back: [^;]+; 1 migration\\(s\\) before it stay applied; ` +
        'once the server is reachable, run rb status and rb upgrade again\\n$',
    ),
  );
  assert.equal(await versions(url), ['20240101000001']);
  assert.equal(await counts(url), []);
  const rerun = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(await counts(url), ['002:3', '003:3']);
  assert.equal(await versions(url), ['20240101000001', '20240101000002', '20240101000003']);
});

test("rb's backends terminated during rb upgrade (pg_terminate_backend): exit 3, state consistent, a rerun completes", async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [CREATE_RUNS]: runs, [SLOW]: slowTransactional, [LATER]: later });
  const run = startRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  await waitForSleepingMigration(url);
  await withSql(url, (sql) =>
    sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name like 'rb%' and pid <> pg_backend_pid()`,
  );
  const lost = await run.done;
  assert.is(lost.code, 3, lost.stderr);
  assert.match(lost.stderr, `rb: lost the connection to the database while ${SLOW} ran; the server rolled it back: `);
  assert.equal(await versions(url), ['20240101000001']);
  const rerun = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(await counts(url), ['002:3', '003:3']);
});

test.run();
