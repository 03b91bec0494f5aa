import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject, type RbRun } from '../support/project.ts';

const versions = (url: string) =>
  withSql(url, async (sql) => (await sql`select version from public.schema_migrations order by version`).map((r) => r.version as string));
const rbRecords = (url: string) =>
  withSql(url, async (sql) =>
    (await sql`select version, state from public.rb_migrations order by version`).map((r) => `${r.version} ${r.state}`),
  );
const findings = (run: RbRun) => run.stdout.split('\n').filter((line) => line && !line.startsWith('rb check: '));

const T1 = '20240101000001_t1.sql';
const T2 = '20240101000002_t2.sql';
const t1 = migration('create table t1 (id int primary key);', 'drop table t1;');

// ---------- error positions ----------

test('no position from PostgreSQL: one statement is named by its line; in a long section the position is said to be unknown, never a wrong line', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const header = Array.from({ length: 40 }, (_, i) => `-- note ${i + 1}`).join('\n');
  const many = Array.from({ length: 30 }, (_, i) => `insert into t1 values (${i + 1});`).join('\n');
  const cwd = tempProject({
    [T1]: t1,
    // A duplicate key has no position: it is raised while the 31st statement runs, on line 73.
    [T2]: `-- migrate:up\n${header}\n${many}\ninsert into t1 values (7);\n\n-- migrate:down\ndelete from t1;\n`,
  });
  const run = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 4);
  assert.is(
    run.stderr,
    `rb: db/migrations/${T2}: duplicate key value violates unique constraint "t1_pkey" (SQLSTATE 23505) ` +
      `(position unknown: PostgreSQL reported none, and the up section (line 1) holds 31 statements); ${T2} was rolled back, ` +
      '1 earlier migration(s) stay applied; fix it and run rb upgrade again\n',
  );
  assert.equal(await versions(url), ['20240101000001']);

  writeFileSync(path.join(cwd, 'db', 'migrations', T2), `-- migrate:up\n${header}\n\ndrop table no_such_table;\n\n-- migrate:down\nselect 1;\n`);
  const one = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(one.code, 4);
  assert.match(one.stderr, `rb: db/migrations/${T2}:43: table "no_such_table" does not exist (SQLSTATE 42P01); `);
});

test('rb check finds the failing statement of a long section by running its statements again on the scratch database', async () => {
  const cwd = tempProject({
    [T1]: t1,
    [T2]: migration('insert into t1 values (1);\ninsert into t1 values (2);\n\ninsert into t1 values (1);', 'delete from t1;'),
  });
  const url = await createEmptyDatabase(import.meta.url);
  const run = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 1, run.stderr);
  assert.equal(findings(run), [
    `db/migrations/${T2}:5: round-trip/up-failed: the up section fails on a database migrated through the previous migrations: ` +
      'duplicate key value violates unique constraint "t1_pkey" (SQLSTATE 23505)',
  ]);
});

test('rb check: an up that fails says how many later migrations were not checked; CREATE INDEX CONCURRENTLY in a transaction gets the transaction:false fix', async () => {
  const T3 = '20240101000003_t1_c.sql';
  const cwd = tempProject({
    [T1]: t1,
    [T2]: migration('create index concurrently t1_id on t1 (id);', 'drop index t1_id;'),
    [T3]: migration('alter table t1 add column c int;', 'alter table t1 drop column c;'),
  });
  const url = await createEmptyDatabase(import.meta.url);
  const run = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 1, run.stderr);
  assert.equal(findings(run), [
    `db/migrations/${T2}:2: round-trip/up-failed: the up section fails on a database migrated through the previous migrations: ` +
      'CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001); ' +
      'run it outside a transaction: a file of its own with "-- migrate:up transaction:false"; ' +
      'the 1 migration(s) after it were not checked (round trip, impact): fix this one and run rb check again',
  ]);
});

// ---------- encoding and versions ----------

test('a migration file that starts with a UTF-8 byte order mark is applied, rolled back and checked like any other', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: `\uFEFF${t1}`, [T2]: `\uFEFF${migration('alter table t1 add column b text;\nselec 1;', 'alter table t1 drop column b;')}` });
  const failed = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(failed.code, 4);
  // Lines are counted in the file as the editor shows it (the mark is not a line).
  assert.match(failed.stderr, `rb: db/migrations/${T2}:3:1: syntax error at or near "selec" (SQLSTATE 42601); `);
  writeFileSync(path.join(cwd, 'db', 'migrations', T2), `\uFEFF${migration('alter table t1 add column b text;', 'alter table t1 drop column b;')}`);
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, `Applied: ${T2}\n`);
  const down = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(down.code, 0, down.stderr);
  const check = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url } });
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, 'well-formed ok, round-trip ok (2 down(s) checked)');
});

test('versions 1 and 01 are the same number: refused as duplicates by rb upgrade and rb check', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '1_a.sql': t1, '01_b.sql': migration('create table b (id int);', 'drop table b;') });
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 2);
  assert.is(up.stderr, 'rb: db/migrations/1_a.sql: version 1 is the same number as 01 of 01_b.sql; give one of them a new version (rb new-migration makes a fresh one)\n');
  assert.equal(await withSql(url, async (sql) => (await sql`select to_regclass('public.schema_migrations') as r`)[0].r), null);
  const check = await runRb(['check', '--skip', 'lint'], { cwd, env: { DATABASE_URL: url } });
  assert.is(check.code, 1);
  assert.equal(findings(check), [
    'db/migrations/1_a.sql: well-formed/duplicate-version: version 1 is the same number as 01 of 01_b.sql; give one of them a new version (rb new-migration makes a fresh one)',
  ]);
});

// ---------- transaction:false ----------

const TWO_INDEXES =
  '-- migrate:up transaction:false\ncreate index concurrently t1_a on t1 (id);\ncreate index concurrently t1_b on t1 (id);\n\n' +
  '-- migrate:down transaction:false\ndrop index concurrently t1_a;\n';

test('a transaction:false section with two statements is refused before anything runs (rb upgrade) and by rb check', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  // A third file with a misspelt rb setting: both problems are named at once, in file order.
  const T3 = '20240101000003_t3.sql';
  const cwd = tempProject({ [T1]: t1, [T2]: TWO_INDEXES, [T3]: '-- rb: lock_timout=1s\n' + migration('select 1;', 'select 1;') });
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 2);
  assert.is(
    up.stderr,
    `rb: db/migrations/${T2}:2: the transaction:false up section holds 2 statements, and CREATE INDEX CONCURRENTLY cannot run among others: ` +
      'dbmate sends the section as one query, which PostgreSQL runs as one transaction, so it would fail with nothing applied; ' +
      'put each statement in a transaction:false file of its own (rb new-migration makes one)\n' +
      `db/migrations/${T3}:1: unknown rb setting "lock_timout=1s"; write "-- rb: lock_timeout=30s statement_timeout=2h" (timeouts) ` +
      'or "-- rb:irreversible <reason>" (in the down section)\n',
  );
  rmSync(path.join(cwd, 'db', 'migrations', T3));
  await withSql(url, async (sql) => {
    assert.is((await sql`select to_regclass('public.t1') as r`)[0].r, null, 'not even the first file ran');
    assert.is((await sql`select to_regclass('public.rb_migrations') as r`)[0].r, null, 'nothing was recorded as failed');
  });
  const check = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url } });
  assert.is(check.code, 1);
  assert.equal(findings(check)[0], `db/migrations/${T2}:2: well-formed/transaction-false: ${up.stderr.split('\n')[0].slice(`rb: db/migrations/${T2}:2: `.length)}`);

  // One statement per file: both apply.
  writeFileSync(
    path.join(cwd, 'db', 'migrations', T2),
    '-- migrate:up transaction:false\ncreate index concurrently t1_a on t1 (id);\n\n-- migrate:down transaction:false\ndrop index concurrently t1_a;\n',
  );
  writeFileSync(
    path.join(cwd, 'db', 'migrations', '20240101000003_t1_b.sql'),
    '-- migrate:up transaction:false\ncreate index concurrently t1_b on t1 (id);\n\n-- migrate:down transaction:false\ndrop index concurrently t1_b;\n',
  );
  const fixed = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(fixed.code, 0, fixed.stderr);
  assert.equal(await rbRecords(url), ['20240101000001 applied', '20240101000002 applied', '20240101000003 applied']);
});

// ---------- -- rb: lines ----------

test('-- rb:irreversible (the marker rb check asks for) is accepted by rb upgrade; rb downgrade refuses to roll that file back', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const DROP = '20240101000002_drop_id.sql';
  const cwd = tempProject({
    [T1]: t1,
    [DROP]: '-- rb: lock_timeout=2s\n' + migration('alter table t1 add column note text;\nalter table t1 drop column note;', '-- rb:irreversible the dropped column data cannot be restored'),
  });
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, `Applied: ${DROP}\n`);
  const check = await runRb(['check', '--skip', 'lint'], { cwd, env: { DATABASE_URL: url } });
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, 'round-trip ok (1 down(s) checked)');
  const down = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(down.code, 2);
  assert.is(
    down.stderr,
    `rb: db/migrations/${DROP}:7: marked irreversible (the dropped column data cannot be restored), so rb downgrade will not roll it back; ` +
      'nothing was rolled back; undo its change in a new migration (rb new-migration), or restore a dump taken before it\n',
  );
  assert.equal(await versions(url), ['20240101000001', '20240101000002']);
  assert.ok(readFileSync(path.join(cwd, 'db', 'migrations', DROP), 'utf8').includes('-- rb:irreversible'));
});

test('rb downgrade refuses a file whose down section is empty (dbmate would forget it and keep its table): nothing rolled back', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const EMPTY = '20240101000002_t2.sql';
  const cwd = tempProject({ [T1]: t1, [EMPTY]: migration('create table t2 (id int);', '-- nothing here yet') });
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  const down = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(down.code, 2);
  assert.is(
    down.stderr,
    `rb: db/migrations/${EMPTY}:4: the down section is empty, so a rollback would only forget the migration and keep its changes; ` +
      "nothing was rolled back; write SQL that undoes the up there (or mark it '-- rb:irreversible <reason>')\n",
  );
  assert.equal(await versions(url), ['20240101000001', '20240101000002']);
  assert.is(await withSql(url, async (sql) => (await sql`select count(*)::int as n from pg_tables where tablename = 't2'`)[0].n), 1);
});

test('rb check reads -- rb: lines with the same parser: a misspelt setting and a misplaced irreversible marker are named with their lines', async () => {
  const cwd = tempProject({
    [T1]: t1,
    [T2]: '-- rb: lock_timout=1s\n' + migration('-- rb:irreversible drops nothing really\nalter table t1 add column c int;', 'alter table t1 drop column c;'),
  });
  const url = await createEmptyDatabase(import.meta.url);
  const check = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: url } });
  assert.is(check.code, 1);
  assert.equal(findings(check), [
    `db/migrations/${T2}:1: well-formed/rb-setting: unknown rb setting "lock_timout=1s"; write "-- rb: lock_timeout=30s statement_timeout=2h" (timeouts) ` +
      'or "-- rb:irreversible <reason>" (in the down section)',
    `db/migrations/${T2}:3: well-formed/irreversible-place: '-- rb:irreversible' belongs in the down section (after '-- migrate:down'), ` +
      'where it says that section cannot undo the up; move it there',
    `db/migrations/${T2}:4: impact/blocking-lock: warning: ALTER TABLE takes an ACCESS EXCLUSIVE lock on public.t1: reads and writes of it wait until the migration commits ` +
      "(nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)",
  ]);
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 2);
  assert.match(up.stderr, `rb: db/migrations/${T2}:1: unknown rb setting "lock_timout=1s"`);
});

test.run();
