import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Sql } from '../../src/client.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { stripRestrictLines } from '../../src/migrations/schema-file.ts';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';

const versions = (url: string) =>
  withSql(url, async (sql) => (await sql`select version from schema_migrations order by version`).map((r) => r.version as string));
const columns = (url: string, table: string) =>
  withSql(url, async (sql) =>
    (await sql`select column_name from information_schema.columns where table_name = ${table} order by ordinal_position`).map((r) => r.column_name as string),
  );
const file = (cwd: string, name: string) => path.join(cwd, 'db', 'migrations', name);
const statusLines = async (cwd: string, url: string) => {
  const status = await runRb(['status'], { cwd, env: { DATABASE_URL: url } });
  assert.is(status.code, 0, status.stderr);
  return status.stdout.trim().split('\n').slice(1, -1);
};

const T1 = '20240101000001_t1.sql';
const T2 = '20240101000002_t2.sql';
const T3 = '20240101000003_t3.sql';
const t = (n: number) => migration(`create table t${n} (id int);`, `drop table t${n};`);

// ---------- checksums ----------

test('rolling back an edited file: a warning locally, refused on production unless --allow-edited', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const prod = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1), [T2]: t(2) });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: local } })).code, 0);
  assert.is((await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } })).code, 0);
  writeFileSync(file(cwd, T2), migration('create table t2 (id int);', 'drop table if exists t2;'));

  const refused = await runRb(['downgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(refused.code, 5);
  assert.is(
    refused.stderr,
    `rb: refusing to roll back ${T2} on production: edited after it was applied (the checksum rb recorded differs), so its down section may not undo what production ran; put the applied text back (git checkout -- db/migrations/<file>) or pass --allow-edited\n`,
  );
  assert.equal(await versions(prod), ['20240101000001', '20240101000002']);

  const allowed = await runRb(['downgrade', '--prod', '--yes', '--allow-edited'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(allowed.code, 0, allowed.stderr);
  // --yes still prints the target and the plan after the warning.
  const lines = allowed.stderr.split('\n');
  assert.equal(lines.slice(0, 2), [`warning: ${T2} was edited after it was applied; rolling it back with the down section it has now`, 'PRODUCTION: roll back 1 migration(s)']);
  assert.equal(lines.slice(-4), ['This will:', `  - roll back ${T2}`, 'Confirmed by --yes.', '']);
  assert.equal(await versions(prod), ['20240101000001']);

  const localRun = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: local } });
  assert.is(localRun.code, 0, localRun.stderr);
  assert.is(localRun.stderr, `warning: ${T2} was edited after it was applied; rolling it back with the down section it has now\n`);
  assert.equal(await versions(local), ['20240101000001']);
});


test('an applied file that was edited stops rb upgrade (naming it) until --allow-edited; rb status shows it', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1), [T2]: t(2) });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  writeFileSync(file(cwd, T1), migration('create table t1 (id bigint);', 'drop table t1;'));
  writeFileSync(file(cwd, T3), t(3));

  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(refused.code, 2);
  assert.is(
    refused.stderr,
    `rb: db/migrations/${T1} was edited after it was applied to this database (the checksum rb recorded differs); ` +
      'put the applied text back (git checkout -- <file>) and make the change in a new migration, or pass --allow-edited to accept the edit\n',
  );
  assert.equal(await versions(url), ['20240101000001', '20240101000002'], 'nothing applied');
  assert.equal(await statusLines(cwd, url), [`applied (edited since it was applied)  ${T1}`, `applied    ${T2}`, `pending    ${T3}`]);

  const allowed = await runRb(['upgrade', '--allow-edited'], { cwd, env: { DATABASE_URL: url } });
  assert.is(allowed.code, 0, allowed.stderr);
  assert.is(allowed.stderr, `warning: ${T1} was edited after it was applied; --allow-edited: recorded its new checksum\n`);
  assert.match(allowed.stdout, `Applied: ${T3}\n`);
  const again = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'up to date, nothing to apply');
});

test('line-ending changes alone (LF -> CRLF) are not edits', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1) });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  writeFileSync(file(cwd, T1), readFileSync(file(cwd, T1), 'utf8').replace(/\n/g, '\r\n'));
  writeFileSync(file(cwd, T2), t(2));
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.is(up.stderr, '');
  assert.equal(await versions(url), ['20240101000001', '20240101000002']);
  assert.equal(await statusLines(cwd, url), [`applied    ${T1}`, `applied    ${T2}`]);
});

test('a database migrated before rb recorded checksums is adopted silently, then protected', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1), [T2]: t(2) });
  const plain = await runDbmate({ url, migrationsDir: path.join(cwd, 'db', 'migrations') }, ['migrate']);
  assert.ok(plain.ok, plain.stderr);
  assert.equal(await statusLines(cwd, url), [`applied    ${T1}`, `applied    ${T2}`]);
  writeFileSync(file(cwd, T3), t(3));
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.is(up.stderr, '');
  const recorded = await withSql(url, async (sql) => (await sql`select version from rb_migrations where state = 'applied' order by 1`).map((r) => r.version));
  assert.equal(recorded, ['20240101000001', '20240101000002', '20240101000003']);
  writeFileSync(file(cwd, T2), migration('create table t2 (id text);', 'drop table t2;'));
  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(refused.code, 2);
  assert.match(refused.stderr, `rb: db/migrations/${T2} was edited after it was applied`);
});

test("db/schema.sql written by rb upgrade equals the dump of a database dbmate migrated alone (no rb bookkeeping)", async () => {
  const byRb = await createEmptyDatabase(import.meta.url);
  const byDbmate = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1), [T2]: migration('create table t2 (id int primary key);', 'drop table t2;') });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: byRb } })).code, 0);
  const rbDump = readFileSync(path.join(cwd, 'db', 'schema.sql'), 'utf8');
  assert.not.match(rbDump, 'rb_migrations');
  assert.match(rbDump, 'CREATE TABLE public.t2');
  const recorded = await withSql(byRb, (sql) => sql`select count(*)::int as n from rb_migrations`);
  assert.is(recorded[0].n, 2, 'the bookkeeping is in the database, only not in the file');
  const plainFile = path.join(cwd, 'plain.sql');
  const dbmate = { url: byDbmate, migrationsDir: path.join(cwd, 'db', 'migrations'), schemaFile: plainFile };
  assert.ok((await runDbmate(dbmate, ['migrate'])).ok);
  assert.ok((await runDbmate(dbmate, ['dump'])).ok);
  assert.fixture(rbDump, stripRestrictLines(readFileSync(plainFile, 'utf8')));
});

// ---------- timeouts ----------

/** Holds an ACCESS EXCLUSIVE lock on table in an open transaction until release() is called. */
async function holdTableLock(url: string, table: string): Promise<{ sql: Sql; release: () => Promise<void> }> {
  const sql = connect(url, { max: 1 });
  const conn = await sql.reserve();
  await conn`begin`;
  await conn.unsafe(`lock table ${table} in access exclusive mode`);
  return {
    sql,
    release: async () => {
      await conn`rollback`;
      conn.release();
      await sql.end({ timeout: 5 });
    },
  };
}

/** Waits until some session waits for a lock on table (rb's migration queued behind ours). */
async function waitForLockWaiter(url: string, table: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rows = await withSql(url, (sql) => sql`select 1 from pg_locks where not granted and relation = ${table}::regclass`);
    if (rows.length) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nobody waited for a lock on ${table}`);
}

const ADD_COLUMN = '20240101000002_add_c.sql';

test('a lock timeout is retried with a growing wait, resuming at the file that timed out, once the other session lets go', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1) });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  // One dbmate batch: t2 is applied, add_c times out, the retry resumes at add_c, then t4.
  const addC = '20240101000003_add_c.sql';
  const T4 = '20240101000004_t4.sql';
  writeFileSync(file(cwd, T2), t(2));
  writeFileSync(file(cwd, addC), migration('alter table t1 add column c int;', 'alter table t1 drop column c;'));
  writeFileSync(file(cwd, T4), t(4));
  const lock = await holdTableLock(url, 't1');
  const running = runRb(['upgrade'], { cwd, env: { DATABASE_URL: url, RB_LOCK_TIMEOUT: '300ms' } });
  await waitForLockWaiter(url, 't1');
  // Past the 300 ms lock_timeout (the first attempt has failed), well before the retry 1 s later.
  await new Promise((resolve) => setTimeout(resolve, 800));
  await lock.release();
  const run = await running;
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, `${addC}: lock timeout (lock_timeout 300ms); retrying in 1s (attempt 2 of 4)\n`);
  assert.match(run.stdout, `Applied: ${T2}\nApplied: ${addC}\nApplied: ${T4}\n`);
  assert.equal(await columns(url, 't1'), ['id', 'c']);
  assert.equal(await versions(url), ['20240101000001', '20240101000002', '20240101000003', '20240101000004']);
});

test('a lock that stays held is reported as a lock timeout after the retries; nothing is applied', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1) });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  writeFileSync(file(cwd, ADD_COLUMN), migration('alter table t1 add column c int;', 'alter table t1 drop column c;'));
  writeFileSync(file(cwd, T3), t(3));
  const lock = await holdTableLock(url, 't1');
  try {
    const run = await runRb(['upgrade', '--lock-timeout', '200ms'], { cwd, env: { DATABASE_URL: url, RB_LOCK_RETRIES: '2' } });
    assert.is(run.code, 4);
    assert.is(
      run.stderr,
      `${ADD_COLUMN}: lock timeout (lock_timeout 200ms); retrying in 1s (attempt 2 of 3)\n` +
        `${ADD_COLUMN}: lock timeout (lock_timeout 200ms); retrying in 2s (attempt 3 of 3)\n` +
        `rb: db/migrations/${ADD_COLUMN}:2: canceling statement due to lock timeout (SQLSTATE 55P03); ${ADD_COLUMN} could not get a lock ` +
        'within lock_timeout 200ms in 3 attempts and was rolled back, 1 later one(s) not run; another session holds a lock on a table it changes ' +
        '(see pg_locks / pg_stat_activity): run rb upgrade again once that session is done, or allow a longer wait with --lock-timeout 30s ' +
        'or a line "-- rb: lock_timeout=30s" in the file\n',
    );
  } finally {
    await lock.release();
  }
  assert.equal(await columns(url, 't1'), ['id']);
  assert.equal(await versions(url), ['20240101000001']);
});

test('statement_timeout can be set per file; a bad rb setting is refused before anything runs', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    [T1]: t(1),
    [T2]: `-- rb: statement_timeout=100ms\n${migration('select pg_sleep(2);', 'select 1;')}`,
  });
  const slow = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(slow.code, 4);
  assert.is(
    slow.stderr,
    `rb: db/migrations/${T2}:3: canceling statement due to statement timeout (SQLSTATE 57014); ${T2} was rolled back, ` +
      '1 earlier migration(s) stay applied; fix it and run rb upgrade again\n',
  );
  assert.equal(await versions(url), ['20240101000001']);

  writeFileSync(file(cwd, T2), `-- rb: lock_timout=1s\n${migration('select 1;', 'select 1;')}`);
  const bad = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(bad.code, 2);
  assert.is(
    bad.stderr,
    `rb: db/migrations/${T2}:1: unknown rb setting "lock_timout=1s"; write "-- rb: lock_timeout=30s statement_timeout=2h" (timeouts) ` +
      'or "-- rb:irreversible <reason>" (in the down section)\n',
  );
  const badFlag = await runRb(['upgrade', '--lock-timeout', 'soon'], { cwd, env: { DATABASE_URL: url } });
  assert.is(badFlag.code, 2);
  assert.is(badFlag.stderr, 'rb: --lock-timeout: lock timeout "soon" is not a duration; use a number with ms, s, min, h or d (e.g. 5s; 0 turns it off)\n');
  assert.equal(await versions(url), ['20240101000001']);
});

// ---------- order ----------

test('an out-of-order migration is applied locally with a warning, refused with --prod unless --allow-out-of-order', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const prod = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1), [T3]: t(3) });
  for (const url of [local, prod]) assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  writeFileSync(file(cwd, T2), t(2));

  const warned = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: local } });
  assert.is(warned.code, 0, warned.stderr);
  assert.is(warned.stderr, `warning: ${T2} is older than the newest applied migration and not recorded on this database (a parallel branch?); applying it anyway\n`);
  assert.equal(await versions(local), ['20240101000001', '20240101000002', '20240101000003']);

  const refused = await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(refused.code, 5);
  assert.is(
    refused.stderr,
    `rb: refusing to apply ${T2} to production: older than the newest applied migration 20240101000003 and not recorded there (a parallel branch?), ` +
      'so production would run them in an order no other database did; give the file a newer version (rename it to a current timestamp) ' +
      'or pass --allow-out-of-order\n',
  );
  assert.equal(await versions(prod), ['20240101000001', '20240101000003']);

  const allowed = await runRb(['upgrade', '--prod', '--yes', '--allow-out-of-order'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(allowed.code, 0, allowed.stderr);
  assert.equal(await versions(prod), ['20240101000001', '20240101000002', '20240101000003']);
});

// ---------- failures ----------

test('a failed transactional migration leaves schema and tracking table as before, naming file, line and SQLSTATE', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [T1]: t(1), [T2]: migration('create table t2 (id int);\nselect * from missing_table;', 'drop table t2;') });
  const run = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 4);
  assert.is(
    run.stderr,
    `rb: db/migrations/${T2}:3:15: relation "missing_table" does not exist (SQLSTATE 42P01); ${T2} was rolled back, ` +
      '1 earlier migration(s) stay applied; fix it and run rb upgrade again\n',
  );
  assert.equal(await versions(url), ['20240101000001']);
  const t2 = await withSql(url, (sql) => sql`select to_regclass('t2') as reg`);
  assert.is(t2[0].reg, null);
});

test('a failed transaction:false migration is recorded; the next upgrade refuses naming the file and the INVALID index', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const INDEX = '20240101000002_unique_email.sql';
  const cwd = tempProject({
    [T1]: migration("create table users (email text);\ninsert into users values ('a@x'), ('a@x');", 'drop table users;'),
    [INDEX]:
      '-- migrate:up transaction:false\ncreate unique index concurrently users_email_key on users (email);\n\n' +
      '-- migrate:down transaction:false\ndrop index concurrently users_email_key;\n',
    [T3]: t(3),
  });
  const failed = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(failed.code, 4);
  const resolveHint =
    'undo or finish by hand what it applied, make the file safe to re-run (IF NOT EXISTS / IF EXISTS), then run rb upgrade --retry-failed';
  assert.match(failed.stderr, /^rb: db\/migrations\/20240101000002_unique_email\.sql:2: could not create unique index "users_email_key" \(SQLSTATE 23505\); /);
  assert.match(
    failed.stderr,
    `; ${INDEX} runs outside a transaction (transaction:false), so statements before the error stay applied and rb recorded it as failed; ` +
      `it left INVALID index public.users_email_key: drop it (drop index concurrently public.users_email_key); ${resolveHint}\n`,
  );
  assert.equal(await versions(url), ['20240101000001']);
  assert.equal(await statusLines(cwd, url), [
    `applied    ${T1}`,
    `failed (transaction:false, part-way; see rb upgrade)  ${INDEX}`,
    `pending    ${T3}`,
  ]);

  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(refused.code, 4);
  assert.match(refused.stderr, new RegExp(`^rb: db/migrations/${INDEX} failed part-way at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(transaction:false\\) and is recorded as failed \\(`));
  assert.match(
    refused.stderr,
    `; it left INVALID index public.users_email_key: drop it (drop index concurrently public.users_email_key); ` +
      `rb upgrade refuses until that is resolved: ${resolveHint}\n`,
  );
  assert.equal(await versions(url), ['20240101000001'], 'the later migration was not run either');

  // Resolve: remove the duplicate and the INVALID index, then retry.
  await withSql(url, async (sql) => {
    await sql`delete from users where ctid = (select max(ctid) from users)`;
    await sql`drop index concurrently users_email_key`;
  });
  const retried = await runRb(['upgrade', '--retry-failed'], { cwd, env: { DATABASE_URL: url } });
  assert.is(retried.code, 0, retried.stderr);
  assert.match(retried.stdout, `Applied: ${INDEX}\nApplied: ${T3}\n`);
  await withSql(url, async (sql) => {
    const index = await sql`select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'users_email_key'`;
    assert.equal(index.map((r) => r.indisvalid), [true]);
    const states = await sql`select state, count(*)::int as n from rb_migrations group by state`;
    assert.equal(states.map((r) => [r.state, r.n]), [['applied', 3]]);
  });
});

test('a failed transaction:false migration whose file was removed is cleared by --retry-failed', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const BAD = '20240101000002_bad_index.sql';
  const cwd = tempProject({
    [T1]: t(1),
    [BAD]: '-- migrate:up transaction:false\ncreate index concurrently t1_x_idx on t1 (no_such_column);\n\n-- migrate:down transaction:false\ndrop index concurrently t1_x_idx;\n',
  });
  const failed = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(failed.code, 4);
  assert.match(failed.stderr, `rb: db/migrations/${BAD}:2:`);
  assert.match(failed.stderr, '(SQLSTATE 42703)');
  rmSync(file(cwd, BAD));
  writeFileSync(file(cwd, T3), t(3));
  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(refused.code, 4);
  assert.match(refused.stderr, `rb: db/migrations/${BAD} failed part-way at `);
  const cleared = await runRb(['upgrade', '--retry-failed'], { cwd, env: { DATABASE_URL: url } });
  assert.is(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, `Applied: ${T3}\n`);
  const records = await withSql(url, async (sql) => (await sql`select version, state from rb_migrations order by 1`).map((r) => `${r.version} ${r.state}`));
  assert.equal(records, ['20240101000001 applied', '20240101000003 applied']);
});

test.run();
