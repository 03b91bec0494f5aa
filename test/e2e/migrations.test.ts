import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';

const tables = (url: string) =>
  withSql(url, async (sql) =>
    (await sql`select table_name from information_schema.tables where table_schema = 'public' and table_name like 't%' order by 1`).map((r) => r.table_name as string),
  );
const versions = (url: string) =>
  withSql(url, async (sql) => (await sql`select version from schema_migrations order by version`).map((r) => r.version as string));

function fiveMigrations() {
  return {
    '20240101000001_t1.sql': migration('create table t1 (id int);', 'drop table t1;'),
    '20240101000002_t2.sql': migration('create table t2 (id int);', 'drop table t2;'),
    '20240101000003_t3.sql': migration('create table t3 (id int);', 'drop table t3;'),
    '20240101000004_t4.sql': migration('create table t4 (id int);', 'drop table t4;'),
    '20240101000005_t5.sql': migration('create table t5 (id int);', 'drop table t5;'),
  };
}

test('new-migration writes a timestamped snake_case file with both sections and never overwrites', async () => {
  const cwd = tempProject();
  const first = await runRb(['new-migration', 'foo bar barfoo'], { cwd });
  assert.is(first.code, 0, first.stderr);
  const files = readdirSync(path.join(cwd, 'db', 'migrations'));
  assert.is(files.length, 1);
  assert.match(files[0], /^\d{14}_foo_bar_barfoo\.sql$/);
  assert.is(first.stdout, `Created db/migrations/${files[0]}\n`);
  const text = readFileSync(path.join(cwd, 'db', 'migrations', files[0]), 'utf8');
  assert.match(text, /^-- migrate:up\n/);
  assert.match(text, /\n-- migrate:down\n/);

  const second = await runRb(['revision', 'foo', 'bar', 'barfoo'], { cwd });
  assert.is(second.code, 0, second.stderr);
  const after = readdirSync(path.join(cwd, 'db', 'migrations')).sort();
  assert.is(after.length, 2, 'a second file in the same second gets the next free version');
  assert.is(readFileSync(path.join(cwd, 'db', 'migrations', files[0]), 'utf8'), text);
});

test('new-migration refuses a name without letters or digits', async () => {
  const cwd = tempProject();
  const result = await runRb(['new-migration', '!!!'], { cwd });
  assert.is(result.code, 2);
  assert.is(result.stderr, 'rb: migration name "!!!" has no letters or digits; use words such as: rb new-migration add my model\n');
  assert.equal(readdirSync(path.join(cwd, 'db', 'migrations')), []);
});

test('upgrade applies all pending migrations; downgrade 2 rolls back the newest two, naming each', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(fiveMigrations());
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.equal(await tables(url), ['t1', 't2', 't3', 't4', 't5']);
  assert.match(up.stdout, 'Applied: 20240101000005_t5.sql\n');

  const down = await runRb(['downgrade', '2'], { cwd, env: { DATABASE_URL: url } });
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, /^Rolled back: 20240101000005_t5.sql\nRolled back: 20240101000004_t4.sql\n/);
  assert.equal(await tables(url), ['t1', 't2', 't3']);
  assert.equal(await versions(url), ['20240101000001', '20240101000002', '20240101000003']);

  // A kebab-case boolean before the positional must not swallow it (cac parses it as a value).
  const dry = await runRb(['downgrade', '--dry-run', '2'], { cwd, env: { DATABASE_URL: url } });
  assert.is(dry.stdout, 'Would roll back: 20240101000003_t3.sql\nWould roll back: 20240101000002_t2.sql\n');

  const alembic = await runRb(['down', '-1'], { cwd, env: { DATABASE_URL: url } });
  assert.is(alembic.code, 0, alembic.stderr);
  assert.match(alembic.stdout, /^Rolled back: 20240101000003_t3.sql\n/);
  assert.equal(await tables(url), ['t1', 't2']);

  const current = await runRb(['current'], { cwd, env: { DATABASE_URL: url } });
  assert.is(current.stdout, '20240101000002\n');
});

test('upgrade --dry-run lists the pending migrations and changes nothing', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(fiveMigrations());
  const dry = await runRb(['upgrade', '--dry-run'], { cwd, env: { DATABASE_URL: url } });
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, 'Would apply: 20240101000001_t1.sql\n');
  assert.match(dry.stdout, 'Would apply: 20240101000005_t5.sql\n');
  assert.equal(await tables(url), []);
  const tracking = await withSql(url, (sql) => sql`select to_regclass('schema_migrations') as reg`);
  assert.is(tracking[0].reg, null, 'not even the tracking table is created');
});

test('status marks applied, pending, pending-older-than-newest (parallel branch) and applied-but-missing', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    '20240101000001_t1.sql': migration('create table t1 (id int);', 'drop table t1;'),
    '20240101000003_t3.sql': migration('create table t3 (id int);', 'drop table t3;'),
    '20240101000004_t4.sql': migration('create table t4 (id int);', 'drop table t4;'),
  });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  // A teammate's branch adds an older migration; this branch lost the t4 file.
  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000002_t2.sql'), migration('create table t2 (id int);', 'drop table t2;'));
  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000009_t9.sql'), migration('create table t9 (id int);', 'drop table t9;'));
  const { rmSync } = await import('node:fs');
  rmSync(path.join(cwd, 'db', 'migrations', '20240101000004_t4.sql'));
  const status = await runRb(['status'], { cwd, env: { DATABASE_URL: url } });
  assert.is(status.code, 0, status.stderr);
  const lines = status.stdout.trim().split('\n').slice(1);
  assert.equal(lines, [
    'applied    20240101000001_t1.sql',
    'pending (older than the newest applied; not recorded on this database)  20240101000002_t2.sql',
    'applied    20240101000003_t3.sql',
    'applied (file missing)  20240101000004',
    'pending    20240101000009_t9.sql',
    '3 applied, 2 pending; current version: 20240101000004',
  ]);
  const history = await runRb(['history'], { cwd, env: { DATABASE_URL: url } });
  assert.is(history.stdout, status.stdout, 'history is an alias of status');
});

test('upgrade creates a local database that does not exist yet, as dbmate up does', async () => {
  const existing = await createEmptyDatabase(import.meta.url);
  const url = existing.replace(/\/([^/?]+)(\?|$)/, '/$1_new$2');
  const cwd = tempProject({ '20240101000001_t1.sql': migration('create table t1 (id int);', 'drop table t1;') });
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, /^Created database postgres@127\.0\.0\.1:\d+\/rbt_\w+_migrations_\d+_new\nApplied: 20240101000001_t1.sql\n/);
  assert.equal(await tables(url), ['t1']);
});

test.run();
