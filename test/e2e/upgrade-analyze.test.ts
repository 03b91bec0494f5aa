import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../src/client.ts';
import { takeSnapshot } from '../../src/check/schema-snapshot.ts';
import { describeUrl, parseDatabaseUrl } from '../../src/target/database-url.ts';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, startRb, tempProject } from '../support/project.ts';

const ROWS = 2_000_000;

const applied = {
  '20240101000001_create_big.sql': migration('create table big (id int primary key, amount int not null, note text);', 'drop table big;'),
};
const pending = {
  '20240101000002_widen_amount.sql': migration('alter table big alter column amount type bigint;', 'alter table big alter column amount type int;'),
  '20240101000003_audit.sql': migration("create table audit (id int);\nupdate big set note = 'checked' where id <= 1000;", 'drop table audit;'),
};

/** The local database (DATABASE_URL): the first migration applied, 2 million rows, two migrations pending. */
const local = (async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(applied);
  const env = { DATABASE_URL: url };
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  await withSql(url, (sql) => sql.unsafe(`insert into big (id, amount) select g, g % 1000 from generate_series(1, ${ROWS}) g`));
  for (const [name, text] of Object.entries(pending)) writeFileSync(path.join(cwd, 'db', 'migrations', name), text);
  return { url, cwd, env, database: parseDatabaseUrl(url).database };
})();

/** What must not change in the local database: its catalog, its rows, big's file, its applied versions. */
async function localState(url: string) {
  return withSql(url, async (sql) => {
    await sql`set search_path = pg_catalog`;
    const snapshot = [...(await takeSnapshot(sql)).entries()];
    const [big] = await sql`select count(*)::int as rows, sum(amount)::text as total, count(note)::int as notes, pg_relation_filenode('public.big') as filenode from public.big`;
    const versions = (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string);
    return { snapshot, big, versions };
  });
}

async function copiesLeft(url: string): Promise<string[]> {
  return withSql(url, async (sql) => (await sql`select datname from pg_database where datname like '%\\_rb\\_analyze\\_%' order by 1`).map((r) => r.datname as string));
}

const seconds = String.raw`\d+\.\d\d s`;

test(`on a table of ${ROWS.toLocaleString('en-US')} rows: the rewrite, its locks and durations are reported; the local database is unchanged and its idle sessions are named`, async () => {
  const { url, cwd, env, database } = await local;
  const before = await localState(url);
  // An app's idle connection: CREATE DATABASE ... TEMPLATE needs the database to itself.
  const app = connect(url, { connection: { application_name: 'myapp' } });
  const [{ pid }] = await app<{ pid: number }[]>`select pg_backend_pid() as pid`;
  try {
    const run = await runRb(['upgrade', '--dry-run', '--analyze'], { cwd, env });
    assert.is(run.code, 0, run.stderr);
    const out = run.stdout.split('\n').filter(Boolean);
    // The UPDATE's weak lock is seen when a sample falls within its few milliseconds (the trace runs schema changes only).
    const rowLock = out.findIndex((line) => line.includes('RowExclusiveLock'));
    if (rowLock !== -1) {
      assert.match(out[rowLock], new RegExp(`^  lock  RowExclusiveLock on public\\.big, held ${seconds} \\(reads and writes of other rows go on; writes to the rows it changed wait until it commits\\)$`));
      out.splice(rowLock, 1);
    }
    const expected = [
      `^Would apply: 20240101000002_widen_amount\\.sql  ${seconds}$`,
      // The trace names the statement's line when it finishes within its budget (1 s a statement).
      `^  lock  AccessExclusiveLock on public\\.big( \\(line 2\\))?, held ${seconds} \\(blocks reads and writes\\)$`,
      `^  table public\\.big: rewritten, 2,000,000 row\\(s\\) written again; \\d+ MB -> \\d+ MB$`,
      `^Would apply: 20240101000003_audit\\.sql  ${seconds}$`,
      '^  table public\\.audit: created; 0 bytes$',
      `^  table public\\.big: rows 1,000 updated; \\d+ MB( \\(\\+\\d+ kB\\)| -> \\d+ MB)$`,
      `^Dry run with --analyze: 2 pending migration\\(s\\) ran in ${seconds} on a copy of ${describeUrl(url)} \\(from DATABASE_URL\\) \\(copied in ${seconds}, then dropped\\); the local database was not changed$`,
    ];
    assert.is(out.length, expected.length, run.stdout);
    expected.forEach((pattern, i) => assert.match(out[i], new RegExp(pattern)));
    // The rewrite of 2 million rows takes a measurable time, and the lock is held for most of it.
    const rewrite = Number(/  (\d+\.\d\d) s$/.exec(out[0])![1]);
    const held = Number(/held (\d+\.\d\d) s/.exec(out[1])![1]);
    assert.ok(rewrite > 0.2 && held > 0.1 && held <= rewrite, run.stdout);
    const copy = /on (\S+_rb_analyze_[0-9a-f]{6}_\d+)\.\.\./.exec(run.stderr)?.[1];
    assert.equal(run.stderr.split('\n').filter(Boolean), [
      `rb: copying ${database} to a throwaway database...`,
      `rb: ended idle session pid ${pid} (myapp, postgres@127.0.0.1) on ${database} to copy it`,
      `rb: running 20240101000002_widen_amount.sql on ${copy}...`,
      `rb: running 20240101000003_audit.sql on ${copy}...`,
    ]);
    assert.match(copy!, `${database}_rb_analyze_`);
  } finally {
    await app.end({ timeout: 5 });
  }
  assert.equal(await localState(url), before);
  assert.equal(await copiesLeft(url), []);
  const status = await runRb(['status'], { cwd, env });
  assert.match(status.stdout, '1 applied, 2 pending');
});

test('a quick ALTER TABLE takes an ACCESS EXCLUSIVE lock too briefly to sample: the trace reports it with its line', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '20240101000001_create_t.sql': migration('create table t (id int primary key);\ncreate table u (id int);', 'drop table t, u;') });
  const env = { DATABASE_URL: url };
  assert.is((await runRb(['upgrade'], { cwd, env })).code, 0);
  writeFileSync(
    path.join(cwd, 'db', 'migrations', '20240101000002_add_flag.sql'),
    migration('-- two quick schema changes\nalter table u add column note text;\nalter table t add column flag boolean not null default false;', 'alter table t drop column flag;\nalter table u drop column note;'),
  );
  const run = await runRb(['upgrade', '--dry-run', '--analyze'], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  const out = run.stdout.split('\n').filter(Boolean);
  assert.match(out[0], new RegExp(`^Would apply: 20240101000002_add_flag\\.sql  ${seconds}$`));
  assert.match(out[1], new RegExp(`^  lock  AccessExclusiveLock on public\\.t \\(line 4\\), held (${seconds}|briefly) \\(blocks reads and writes\\)$`));
  assert.match(out[2], new RegExp(`^  lock  AccessExclusiveLock on public\\.u \\(line 3\\), held (${seconds}|briefly) \\(blocks reads and writes\\)$`));
  assert.equal(out.slice(3, 5), ['  table public.t: no rows changed; 8192 bytes, size unchanged', '  table public.u: no rows changed; 0 bytes -> 8192 bytes']);
  assert.is(out.length, 6, run.stdout);
});

test('Ctrl-C while a migration runs on the copy: exit 130, the copy is dropped, the local database is unchanged', async () => {
  const { url, cwd, env } = await local;
  const before = await localState(url);
  const rb = startRb(['upgrade', '--dry-run', '--analyze'], { cwd, env });
  await rb.waitForStderr('rb: running 20240101000002_widen_amount.sql');
  await new Promise((resolve) => setTimeout(resolve, 300));
  rb.child.kill('SIGINT');
  const run = await rb.done;
  assert.is(run.code, 130, run.stderr);
  assert.is(run.stdout, '');
  assert.is(
    run.stderr.split('\n').filter(Boolean).at(-1),
    'rb: rb upgrade --dry-run --analyze stopped (SIGINT) while 20240101000002_widen_amount.sql ran on the copy; the copy was dropped and the local database was not changed',
  );
  assert.equal(await copiesLeft(url), []);
  assert.equal(await localState(url), before);
});

test('kill -9 leaves the copy behind; the next run drops it and names it', async () => {
  const { url, cwd, env, database } = await local;
  const rb = startRb(['upgrade', '--dry-run', '--analyze'], { cwd, env });
  await rb.waitForStderr('rb: running 20240101000002_widen_amount.sql');
  rb.child.kill('SIGKILL');
  await rb.done;
  const left = await copiesLeft(url);
  assert.equal(left, [`${database}_rb_analyze_${/_rb_analyze_([0-9a-f]{6})_/.exec(rb.stderr())![1]}_${rb.child.pid}`]);
  const again = await runRb(['upgrade', '--dry-run', '--analyze'], { cwd, env });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, `rb: dropped ${left[0]}, left by an earlier rb upgrade --dry-run --analyze whose process (pid ${rb.child.pid}) is gone\n`);
  assert.equal(await copiesLeft(url), []);
});

test('a migration that fails on the copy\'s data: exit 4, named with its line; later ones not run; the local database is unchanged', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '20240101000001_create_t.sql': migration('create table t (id int primary key, a int);', 'drop table t;') });
  const env = { DATABASE_URL: url };
  assert.is((await runRb(['upgrade'], { cwd, env })).code, 0);
  await withSql(url, (sql) => sql`insert into t select g, g from generate_series(1, 100) g`);
  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000002_check_a.sql'), migration('-- a must be large\nalter table t add constraint t_a_large check (a > 5);', 'alter table t drop constraint t_a_large;'));
  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000003_b.sql'), migration('alter table t add column b int;', 'alter table t drop column b;'));
  const before = await withSql(url, async (sql) => {
    await sql`set search_path = pg_catalog`;
    return [...(await takeSnapshot(sql)).entries()];
  });
  const run = await runRb(['upgrade', '--dry-run', '--analyze'], { cwd, env });
  assert.is(run.code, 4, run.stderr);
  assert.match(run.stdout, new RegExp(`^Would apply: 20240101000002_check_a\\.sql  ${seconds} \\(FAILED on the copy\\)$`, 'm'));
  assert.match(run.stdout, /^Not run: 20240101000003_b\.sql \(an earlier migration failed on the copy\)$/m);
  assert.is(
    run.stderr.split('\n').filter(Boolean).at(-1),
    'rb: db/migrations/20240101000002_check_a.sql:3: check constraint "t_a_large" of relation "t" is violated by some row (SQLSTATE 23514); ' +
      '20240101000002_check_a.sql fails on a copy of the local database (its data), so rb upgrade would fail the same way; 1 later migration(s) not run; the local database was not changed',
  );
  const after = await withSql(url, async (sql) => {
    await sql`set search_path = pg_catalog`;
    return [...(await takeSnapshot(sql)).entries()];
  });
  assert.equal(after, before);
  assert.equal(await copiesLeft(url), []);
});

test('refused with --prod or without --dry-run (exit 2), and on a DATABASE_URL that is production\'s database (exit 5); nothing pending: nothing to analyze', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '20240101000001_create_t.sql': migration('create table t (id int);', 'drop table t;') });
  const prod = await runRb(['upgrade', '--dry-run', '--analyze', '--prod'], { cwd, env: { PROD_DATABASE_URL: url } });
  assert.is(prod.code, 2);
  assert.is(
    prod.stderr,
    "rb: rb upgrade --dry-run --analyze never touches production: it runs the pending migrations on a copy of the local database (rb dump-and-restore puts production's data there first); drop --prod\n",
  );
  const noDryRun = await runRb(['upgrade', '--analyze'], { cwd, env: { DATABASE_URL: url } });
  assert.is(noDryRun.code, 2);
  assert.is(noDryRun.stderr, 'rb: --analyze goes with --dry-run: rb upgrade --dry-run --analyze runs the pending migrations on a throwaway copy and changes nothing\n');

  // The same database under another host name is still production's.
  const spelled = url.replace('127.0.0.1', 'localhost');
  const viaUrl = await runRb(['upgrade', '--dry-run', '--analyze'], { cwd, env: { DATABASE_URL: spelled, PROD_DATABASE_URL: url } });
  assert.is(viaUrl.code, 5, viaUrl.stderr);
  assert.match(viaUrl.stderr, `rb: DATABASE_URL (${describeUrl(spelled)}) is production's database (the same server and database as PROD_DATABASE_URL`);
  assert.match(viaUrl.stderr, 'rb upgrade --dry-run --analyze copies the local database and never touches production: point DATABASE_URL at a local database, or unset it to use the embedded server\n');
  assert.equal(await withSql(url, async (sql) => (await sql`select to_regclass('public.schema_migrations') as reg`)[0].reg), null);

  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  const upToDate = await runRb(['upgrade', '--dry-run', '--analyze'], { cwd, env: { DATABASE_URL: url } });
  assert.is(upToDate.code, 0, upToDate.stderr);
  assert.is(upToDate.stdout, `${describeUrl(url)} (from DATABASE_URL): up to date, nothing to analyze\n`);
  assert.equal(await copiesLeft(url), []);
});

test.run();
