// A restore is atomic (issue 9, item 2): it builds production's copy in a database of its own and
// swaps it in only after the verification passed. A corrupt dump, a failing migration or index, a
// Ctrl-C or a kill -9 leave the local database exactly as it was (same database, same catalog,
// same rows), and the next run drops what a killed run left.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../src/client.ts';
import { takeSnapshot } from '../../src/check/schema-snapshot.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { runProcess } from '../../src/process.ts';
import { hostTagOf } from '../../src/restore/run-owner.ts';
import { withDatabase } from '../../src/target/database-url.ts';
import { createEmptyDatabase, dropDatabases, repoRoot, withSql } from '../support/databases.ts';
import { migration, runRb, startRb, tempProject } from '../support/project.ts';
import { testServer } from '../support/server.ts';

const repoMigrations = path.join(repoRoot, 'db', 'migrations');
const exampleFiles = Object.fromEntries(readdirSync(repoMigrations).map((f) => [f, readFileSync(path.join(repoMigrations, f), 'utf8')]));
// app.audit_log sorts first in the dump, so "load: 1/3 tables" is printed while app.my_model (the bulk) loads.
const AUDIT = '20240901000000_add_audit_log.sql';
const auditMigration = (extra = '') =>
  migration(`create table app.audit_log (id bigserial primary key, user_id bigint not null references app."user" (id), message text not null);${extra}`, 'drop table app.audit_log;');
const cwd = tempProject({ ...exampleFiles, [AUDIT]: auditMigration() });
const auditFile = path.join(cwd, 'db', 'migrations', AUDIT);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'rb-restore-atomic-'));
const dumpFile = path.join(scratch, 'prod.dump');
const MODELS = 300_000;
const hostTag = hostTagOf(os.hostname());
const role = `rb_atomic_app_${process.pid}`;

let prod = '';
let local = '';
let localName = '';
const databases: string[] = [];

async function adminSql<T>(work: (sql: ReturnType<typeof connect>) => Promise<T>): Promise<T> {
  return withSql((await testServer()).adminUrl, work);
}

/** Everything that makes the local database what it is: identity, database-level properties, catalog, rows, rb status. */
async function stateOf(url: string) {
  const name = new URL(url).pathname.slice(1);
  const database = await adminSql(async (sql) => {
    const [row] = await sql`
      select d.oid::int as oid, pg_get_userbyid(d.datdba) as owner, d.datacl::text as acl, d.datconnlimit as limit,
             shobj_description(d.oid, 'pg_database') as comment,
             (select json_agg(s.setconfig order by s.setrole) from pg_db_role_setting s where s.setdatabase = d.oid) as settings
      from pg_database d where d.datname = ${name}`;
    return { ...row };
  });
  const sql = connect(url, { max: 1, connection: { search_path: 'pg_catalog' } });
  try {
    const catalog = [...(await takeSnapshot(sql)).values()].map((i) => `${i.key} ${JSON.stringify(i.attrs)}`).sort();
    const tables = await sql<{ t: string }[]>`
      select format('%I.%I', n.nspname, c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%' order by 1`;
    const rows: Record<string, number> = {};
    for (const { t } of tables) rows[t] = Number((await sql.unsafe(`select count(*) as n from ${t}`))[0].n);
    const versions = (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string);
    const status = await runRb(['status'], { cwd, env: { DATABASE_URL: url } });
    return { database, catalog, rows, versions, status: `${status.code} ${status.stdout}` };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Databases whose names say a restore made them (work or replaced ones). */
const restoreDatabases = () =>
  adminSql(async (sql) => (await sql`select datname from pg_database where datname ~ '_rb_(restore|replaced)_' order by 1`).map((r) => r.datname as string));

/** The processes rb started (pg_restore, pg_dump), which a kill -9 of rb leaves running. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function waitUntilGone(pids: number[]): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (pids.every((pid) => !existsSync(`/proc/${pid}`))) return;
    await sleep(20);
  }
  throw new Error(`processes ${pids.join(', ')} did not end`);
}

test.before(async () => {
  prod = await createEmptyDatabase(import.meta.url);
  databases.push(prod);
  const migrated = await runDbmate({ url: prod, migrationsDir: path.join(cwd, 'db', 'migrations') }, ['migrate']);
  assert.ok(migrated.ok, migrated.stderr);
  await withSql(prod, (sql) => sql.unsafe(`
    insert into app."user" (email) select 'user' || g || '@example.com' from generate_series(1, 20000) g;
    insert into app.my_model (model_prop, user_id) select 'model-' || g || repeat('x', 40), 1 + g % 20000 from generate_series(1, ${MODELS}) g;
    insert into app.audit_log (user_id, message) select 1 + g % 200, 'event ' || g from generate_series(1, 1000) g;`));
  const dumped = await runProcess('pg_dump', ['--format=custom', '--file', dumpFile, '--dbname', prod]);
  assert.ok(dumped.ok, dumped.stderr);

  // The local database: an earlier restore, then local changes and database-level settings an app relies on.
  local = await createEmptyDatabase(import.meta.url);
  databases.push(local);
  localName = new URL(local).pathname.slice(1);
  const first = await runRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
  assert.is(first.code, 0, first.stderr);
  await withSql(local, (sql) => sql.unsafe(`insert into app."user" (email) values ('only-local@example.com'); delete from app.audit_log where id <= 10`));
  await adminSql((sql) => sql.unsafe(`
    create role ${role};
    alter database ${localName} set search_path = app, "$user", public;
    alter database ${localName} set work_mem = '12MB';
    alter role ${role} in database ${localName} set statement_timeout = '7s';
    revoke connect, temporary on database ${localName} from public;
    grant connect on database ${localName} to ${role} with grant option;
    alter database ${localName} connection limit 50;
    comment on database ${localName} is 'the shop''s development database';`));
});

test('a corrupt dump (32 bytes overwritten mid-data) fails in "load data"; the local database is exactly as it was', async () => {
  const corrupt = path.join(scratch, 'corrupt.dump');
  copyFileSync(dumpFile, corrupt);
  const fd = openSync(corrupt, 'r+');
  writeSync(fd, Buffer.alloc(32, 0x78), 0, 32, Math.floor(statSync(corrupt).size / 2));
  closeSync(fd);
  const before = await stateOf(local);

  const result = await runRb(['restore-to-dump', corrupt], { cwd, env: { DATABASE_URL: local } });
  assert.is(result.code, 1, result.stderr);
  assert.match(result.stderr.trim().split('\n').at(-1)!, /^rb: restore failed in phase "load data": pg_restore failed: .+; the local database was not changed$/);
  assert.equal(await stateOf(local), before);
  assert.equal(await restoreDatabases(), []);
});

test('a migration that fails in the rebuild, or a unique index the data breaks, fails before the swap; local database as it was', async () => {
  const before = await stateOf(local);
  try {
    writeFileSync(auditFile, auditMigration('\nselect no_such_function();'));
    const rebuild = await runRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
    assert.is(rebuild.code, 4, rebuild.stderr);
    const line = rebuild.stderr.trim().split('\n').at(-1)!;
    assert.match(line, `rb: restore failed in phase "rebuild schema": db/migrations/${AUDIT}:`);
    assert.match(line, /function no_such_function\(\) does not exist .*; the local database was not changed$/);
    assert.equal(await stateOf(local), before);
    assert.equal(await restoreDatabases(), []);

    // Production has many audit rows per user: the edited migration's unique index fails after the whole load.
    writeFileSync(auditFile, auditMigration('\ncreate unique index audit_log_one_per_user on app.audit_log (user_id);'));
    const index = await runRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
    assert.is(index.code, 1, index.stderr);
    assert.match(index.stderr, 'rb: load: 3/3 tables\n');
    assert.match(
      index.stderr.trim().split('\n').at(-1)!,
      /^rb: restore failed in phase "build indexes": could not create unique index "audit_log_one_per_user"; the local database was not changed$/,
    );
    assert.equal(await stateOf(local), before);
    assert.equal(await restoreDatabases(), []);
  } finally {
    writeFileSync(auditFile, auditMigration());
  }
});

test('Ctrl-C during "load data" exits 130, drops the work database at once and leaves nothing running', async () => {
  const before = await stateOf(local);
  const run = startRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
  await run.waitForStderr('rb: load: 1/3 tables\n');
  const children = childrenOf(run.child.pid!);
  assert.ok(children.length >= 1, 'pg_restore is running');
  run.child.kill('SIGINT');
  const stopped = await run.done;
  assert.is(stopped.code, 130, stopped.stderr);
  assert.is(stopped.stderr.trim().split('\n').at(-1), 'rb: restore stopped in phase "load data" (SIGINT); the local database was not changed');
  await waitUntilGone(children);
  assert.equal(await restoreDatabases(), []);
  assert.equal(await stateOf(local), before);
});

test('kill -9 during "load data": local database as it was, rb status unchanged; the next run drops the leftover and restores', async () => {
  const before = await stateOf(local);
  const run = startRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
  await run.waitForStderr('rb: load: 1/3 tables\n');
  const children = childrenOf(run.child.pid!);
  run.child.kill('SIGKILL');
  const killed = await run.done;
  assert.is(killed.signal, 'SIGKILL');
  assert.not.match(killed.stderr, 'rb: build indexes...');
  const leftover = `${localName}_rb_restore_${hostTag}_${run.child.pid}`;
  assert.equal(await restoreDatabases(), [leftover]);
  const scratchOf = (pid: number) => readdirSync(os.tmpdir()).filter((d) => d.startsWith(`rb-restore-${hostTag}_${pid}-`));
  assert.is(scratchOf(run.child.pid!).length, 1, 'the killed run left its list files');
  assert.equal(await stateOf(local), before);

  // Work databases rb must not drop: one of another host, one of a process that still runs (this test).
  const otherHost = `${localName}_rb_restore_000000_4242`;
  const running = `${localName}_rb_restore_${hostTag}_${process.pid}`;
  await adminSql(async (sql) => {
    for (const name of [otherHost, running]) await sql.unsafe(`create database ${name}`);
  });
  // An app session on the local database: the swap ends it and says so.
  const app = connect(local, { max: 1, connection: { application_name: 'shop-web' } });
  const [{ pid: appPid }] = await app`select pg_backend_pid() as pid`;
  try {
    const rerun = await runRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
    assert.is(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, `rb: dropped ${leftover}, left by an earlier restore whose process (pid ${run.child.pid}) is gone\n`);
    assert.match(rerun.stderr, `rb: left ${otherHost} alone: an earlier restore on another host made it (no note); once that run is over, drop it with: DROP DATABASE "${otherHost}"\n`);
    assert.not.match(rerun.stderr, running);
    assert.match(rerun.stdout, `Ended 1 session(s) on ${localName} to swap the restored database in: pid ${appPid} (shop-web, postgres@127.0.0.1)\n`);
    // The app's session is gone; its pool reconnects, to the restored database.
    const [again] = await app`select pg_backend_pid() as pid, (select count(*) from app."user" where email = 'only-local@example.com')::int as local_rows`;
    assert.is.not(again.pid, appPid);
    assert.is(again.local_rows, 0);
    await waitUntilGone(children);
    assert.equal(await restoreDatabases(), [running, otherHost].sort());
    assert.equal(scratchOf(run.child.pid!), [], 'its list files are gone too');

    // Production's rows again (the local edits are gone), in a new database with the old one's properties.
    const after = await stateOf(local);
    assert.is.not(after.database.oid, before.database.oid);
    assert.equal({ ...after.database, oid: 0 }, { ...before.database, oid: 0 });
    assert.equal(after.catalog, before.catalog);
    assert.equal(after.rows, { ...before.rows, 'app.audit_log': 1000, 'app."user"': 20000 });
    assert.equal(after.versions, before.versions);
  } finally {
    await app.end({ timeout: 1 });
    await adminSql(async (sql) => {
      for (const name of [otherHost, running]) await sql.unsafe(`drop database if exists ${name}`);
    });
  }
});

test('SIGTERM while pg_dump writes removes the partial dump (exit 143); after kill -9 the next run removes it; a missing local database is created', async () => {
  const fresh = withDatabase(local, `${localName}_new`);
  databases.push(fresh);
  const dumps = path.join(cwd, '.rb', 'dumps');
  const term = startRb(['dump-and-restore'], { cwd, env: { DATABASE_URL: fresh, PROD_DATABASE_URL: prod } });
  await term.waitForStderr('rb: dump: pg_dump of PRODUCTION');
  const dumper = childrenOf(term.child.pid!);
  term.child.kill('SIGTERM');
  const stopped = await term.done;
  assert.is(stopped.code, 143, stopped.stderr);
  assert.is(stopped.stderr.trim().split('\n').at(-1), 'rb: dump-and-restore stopped (SIGTERM) while pg_dump ran; the partial dump was removed and the local database was not touched');
  await waitUntilGone(dumper);
  assert.equal(readdirSync(dumps), []);
  assert.is(await adminSql(async (sql) => (await sql`select count(*)::int as n from pg_database where datname = ${`${localName}_new`}`)[0].n), 0);

  const run = startRb(['dump-and-restore'], { cwd, env: { DATABASE_URL: fresh, PROD_DATABASE_URL: prod } });
  await run.waitForStderr('rb: dump: pg_dump of PRODUCTION');
  const children = childrenOf(run.child.pid!);
  run.child.kill('SIGKILL');
  await run.done;
  const [partial, ...others] = readdirSync(dumps);
  assert.equal(others, []);
  assert.match(partial, new RegExp(`^production_\\d{8}T\\d{6}Z\\.${hostTag}_${run.child.pid}\\.dump\\.partial$`));
  await waitUntilGone(children);

  const rerun = await runRb(['dump-and-restore'], { cwd, env: { DATABASE_URL: fresh, PROD_DATABASE_URL: prod } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, `rb: removed .rb/dumps/${partial}, a partial dump (production data) left by an earlier run that was killed\n`);
  assert.equal(readdirSync(dumps), []);
  assert.is(await withSql(fresh, async (sql) => Number((await sql`select count(*) from app.my_model`)[0].count)), MODELS);
  assert.not.match(rerun.stdout, 'Ended ');
});

/** Backends on the server whose application_name is exactly `name`. */
const backendsNamed = (name: string) =>
  adminSql(async (sql) => (await sql`select pid from pg_stat_activity where application_name = ${name}`).map((r) => r.pid as number));

/** Backends on the database `database` that rb opened (dbmate's "rb dbmate (pid ...)", postgres.js's "rb"). */
const rbBackendsOn = (database: string) =>
  adminSql(async (sql) => (await sql`select pid, application_name from pg_stat_activity where datname = ${database} and application_name like 'rb%'`).map((r) => `${r.pid} ${r.application_name}`));

test('Ctrl-C while the rebuild runs a migration: exit 130, no dbmate session left, the work database dropped, the local database as it was', async () => {
  const before = await stateOf(local);
  try {
    writeFileSync(auditFile, auditMigration('\nselect pg_sleep(30);'));
    const run = startRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
    await run.waitForStderr('rb: rebuild: migrating');
    const dbmateSession = `rb dbmate (pid ${run.child.pid} on ${os.hostname()})`.slice(0, 63);
    for (let i = 0; ; i += 1) {
      const sleeping = await adminSql((sql) => sql`select 1 from pg_stat_activity where application_name = ${dbmateSession} and query like '%pg_sleep(30)%' and state = 'active'`);
      if (sleeping.length) break;
      assert.ok(i < 250, 'dbmate never ran the slow migration');
      await sleep(20);
    }
    run.child.kill('SIGINT');
    const stopped = await run.done;
    assert.is(stopped.code, 130, stopped.stderr);
    assert.is(stopped.stderr.trim().split('\n').at(-1), 'rb: restore stopped in phase "rebuild schema" (SIGINT); the local database was not changed');
    assert.equal(await backendsNamed(dbmateSession), []);
    assert.equal(await restoreDatabases(), []);
  } finally {
    writeFileSync(auditFile, auditMigration());
  }
  assert.equal(await stateOf(local), before);
});

test('Ctrl-C while a pending migration runs on the restored data: dbmate\'s server session is ended, exit 130, the data stays at production\'s version', async () => {
  // The local database as a restore leaves it: production's rows at production's version.
  const restored = await runRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
  assert.is(restored.code, 0, restored.stderr);
  const SLOW = '20241101000000_slow_backfill.sql';
  const slowFile = path.join(cwd, 'db', 'migrations', SLOW);
  writeFileSync(slowFile, migration('create table app.slow_marker (id int);\ninsert into app.slow_marker values (1);\nselect pg_sleep(30);', 'drop table app.slow_marker;'));
  try {
    const before = await stateOf(local);
    const run = startRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
    await run.waitForStderr('rb: pending migrations...\n');
    const dbmateSession = `rb dbmate (pid ${run.child.pid} on ${os.hostname()})`.slice(0, 63);
    // dbmate's session is in the migration's pg_sleep (the table is created, not committed).
    for (let i = 0; ; i += 1) {
      const sleeping = await adminSql((sql) => sql`select 1 from pg_stat_activity where application_name = ${dbmateSession} and query like '%pg_sleep(30)%' and state = 'active'`);
      if (sleeping.length) break;
      assert.ok(i < 250, 'dbmate never ran the pending migration');
      await sleep(20);
    }
    const signalled = Date.now();
    run.child.kill('SIGINT');
    const stopped = await run.done;
    assert.is(stopped.code, 130, stopped.stderr);
    assert.ok(Date.now() - signalled < 3000, `rb took ${Date.now() - signalled} ms to stop`);
    assert.is(
      stopped.stderr.trim().split('\n').at(-1),
      `rb: restore stopped in phase "pending migrations" (SIGINT); the data is restored at production's version; ${SLOW} was cut off and rolled back; run rb upgrade for the newer migrations`,
    );
    // rb waited for dbmate's session to be gone before it exited; its own connections close with it.
    assert.equal(await backendsNamed(dbmateSession), []);
    for (let i = 0; (await rbBackendsOn(localName)).length; i += 1) {
      assert.ok(i < 150, `rb's sessions still on ${localName} 3 s after it ended: ${(await rbBackendsOn(localName)).join(', ')}`);
      await sleep(20);
    }
    // The swap came before the pending phase (a new database under the local name), with the same
    // properties, catalog, rows and rb status: the cut-off migration left nothing (no app.slow_marker).
    const after = await stateOf(local);
    assert.equal({ ...after, database: { ...after.database, oid: 0 } }, { ...before, database: { ...before.database, oid: 0 } });
    assert.not.ok(after.catalog.some((item) => item.includes('slow_marker')));
    assert.equal(await restoreDatabases(), []);
  } finally {
    rmSync(slowFile, { force: true });
  }
});

test('Ctrl-C after the dump completed: exit 130, the dump is kept under a name without the run, named in the message, and no later run removes it', async () => {
  const dumps = path.join(cwd, '.rb', 'dumps');
  const before = await stateOf(local);
  const run = startRb(['dump-and-restore'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  await run.waitForStderr('rb: load: 1/3 tables\n');
  run.child.kill('SIGINT');
  const stopped = await run.done;
  assert.is(stopped.code, 130, stopped.stderr);
  const [kept, ...others] = readdirSync(dumps);
  assert.equal(others, []);
  assert.match(kept, /^production_20240901000000_\d{8}T\d{6}Z\.dump$/);
  assert.match(stopped.stderr, ` to .rb/dumps/${kept.replace(/\.dump$/, `.${hostTag}_${run.child.pid}.dump`)} (mode 0600)\n`);
  assert.is(
    stopped.stderr.trim().split('\n').at(-1),
    `rb: restore stopped in phase "load data" (SIGINT); the local database was not changed; the dump is kept at .rb/dumps/${kept} (production data: delete it when done), restore it with rb restore-to-dump .rb/dumps/${kept}`,
  );
  assert.is(statSync(path.join(dumps, kept)).mode & 0o777, 0o600);
  assert.equal(await stateOf(local), before);

  const rerun = await runRb(['restore-to-dump', dumpFile, '--no-pending'], { cwd, env: { DATABASE_URL: local } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.not.match(rerun.stderr, 'rb: removed');
  assert.equal(readdirSync(dumps), [kept]);
  rmSync(path.join(dumps, kept));
});

test('kill -9 after the dump completed leaves the complete dump, named after its run; the next restore removes it and says so; kept dumps stay', async () => {
  const dumps = path.join(cwd, '.rb', 'dumps');
  const run = startRb(['dump-and-restore'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  await run.waitForStderr('rb: load: 1/3 tables\n');
  const children = childrenOf(run.child.pid!);
  run.child.kill('SIGKILL');
  const killed = await run.done;
  assert.is(killed.signal, 'SIGKILL');
  const [left, ...others] = readdirSync(dumps);
  assert.equal(others, []);
  assert.match(left, new RegExp(`^production_20240901000000_\\d{8}T\\d{6}Z\\.${hostTag}_${run.child.pid}\\.dump$`));
  assert.match(killed.stderr, `rb: dumped production at version 20240901000000 in `);
  assert.match(killed.stderr, ` to .rb/dumps/${left} (mode 0600)\n`);
  assert.is(statSync(path.join(dumps, left)).mode & 0o777, 0o600);

  // Dumps the next run must leave: one kept (--keep-dump, or after a failed restore: no run in its
  // name), one of a run that still goes on (this test's process).
  const kept = 'production_20240901000000_20240101T000000Z.dump';
  const running = `production_20240901000000_20240101T000000Z.${hostTag}_${process.pid}.dump`;
  for (const name of [kept, running]) copyFileSync(dumpFile, path.join(dumps, name));

  // restore-to-dump never removes the file it is given, even one a killed run left.
  const named = await runRb(['restore-to-dump', path.join('.rb', 'dumps', left)], { cwd, env: { DATABASE_URL: local } });
  assert.is(named.code, 0, named.stderr);
  assert.not.match(named.stderr, 'rb: removed');
  assert.equal(readdirSync(dumps).sort(), [left, kept, running].sort());
  await waitUntilGone(children); // the killed run's pg_restore, ended when its work database was dropped

  const rerun = await runRb(['restore-to-dump', dumpFile], { cwd, env: { DATABASE_URL: local } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(
    rerun.stderr.split('\n').filter((line) => line.startsWith('rb: removed')),
    [`rb: removed .rb/dumps/${left}, a complete dump (production data) left by an earlier run that was killed`],
  );
  assert.equal(readdirSync(dumps).sort(), [kept, running].sort());
  for (const name of [kept, running]) rmSync(path.join(dumps, name));
});

test.after(async () => {
  await dropDatabases(databases);
  await adminSql((sql) => sql.unsafe(`drop role if exists ${role}`));
  rmSync(scratch, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

test.run();
