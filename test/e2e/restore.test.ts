import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, dropDatabases, repoRoot, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { runDbmate, withMigrationSubset } from '../../src/migrations/dbmate.ts';
import { runProcess } from '../../src/process.ts';
import { hostTagOf } from '../../src/restore/run-owner.ts';

// Production: the repository's example migrations plus an audit log (a serial id), seeded between migrations.
// Locally: the same files plus one newer migration that production has not applied yet.
const repoMigrations = path.join(repoRoot, 'db', 'migrations');
const exampleFiles = Object.fromEntries(readdirSync(repoMigrations).map((f) => [f, readFileSync(path.join(repoMigrations, f), 'utf8')]));
const AUDIT = '20240901000000_add_audit_log.sql';
const PENDING = '20241001000000_add_user_model_count.sql';
const files: Record<string, string> = {
  ...exampleFiles,
  [AUDIT]: migration(
    `create table app.audit_log (
  id bigserial primary key,
  user_id bigint not null references app."user" (id) on delete cascade,
  message text not null
);
create index audit_log_user_id_idx on app.audit_log (user_id);
comment on index app.audit_log_user_id_idx is 'who did it';`,
    'drop table app.audit_log;',
  ),
  // Runs against the restored rows: proves it is applied after the data and sees it.
  [PENDING]: migration(
    `alter table app."user" add column model_count int;
update app."user" u set model_count = (select count(*) from app.my_model m where m.user_id = u.id);`,
    'alter table app."user" drop column model_count;',
  ),
};
const PROD_VERSIONS = ['20240801000000', '20240801000100', '20240820151319', '20240901000000'];

async function migrate(url: string, dir: string, names: string[]): Promise<void> {
  const result = await withMigrationSubset(names.map((n) => path.join(dir, 'db', 'migrations', n)), (subset) =>
    runDbmate({ url, migrationsDir: subset }, ['migrate']),
  );
  if (!result.ok) throw new Error(result.stderr);
}

/** A URL with a password, to prove it is never printed (the test server trusts local connections). */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = 'hunter2';
  return parsed.toString();
}

const cwd = tempProject(files);
const databases: string[] = [];
async function newDatabase(): Promise<string> {
  const url = await createEmptyDatabase(import.meta.url);
  databases.push(url);
  return url;
}
const names = Object.keys(files).sort();
let prod = '';

/** Production: users, then my_models, then audit rows, each after its migration; ids above the sequences. */
async function seedProduction(): Promise<void> {
  prod = withPassword(await newDatabase());
  await migrate(prod, cwd, names.slice(0, 2));
  await withSql(prod, (sql) => sql.unsafe(`
    insert into app."user" (email, created_at) select 'user' || g || '@example.com', timestamptz '2024-01-01' + g * interval '1 hour' from generate_series(1, 300) g;
    -- Explicit ids beyond the identity sequence: a restore that kept production's sequence value would collide.
    insert into app."user" (id, email) overriding system value values (5000, 'late@example.com');`));
  await migrate(prod, cwd, names.slice(0, 3));
  await withSql(prod, (sql) => sql.unsafe(`
    insert into app.my_model (model_prop, user_id) select 'model-' || g, 1 + g % 300 from generate_series(1, 1000) g;
    insert into app.my_model (model_prop, user_id) select null, 5000 from generate_series(1, 5);`));
  await migrate(prod, cwd, names.slice(0, 4));
  await withSql(prod, (sql) => sql.unsafe(`
    insert into app.audit_log (user_id, message) select 1 + g % 300, 'event ' || g from generate_series(1, 700) g;
    insert into app.audit_log (id, user_id, message) values (9000, 5000, 'explicit id');`));
}

const count = (url: string, table: string) => withSql(url, async (sql) => Number((await sql.unsafe(`select count(*) from ${table}`))[0].count));
const digest = (url: string, query: string) => withSql(url, async (sql) => (await sql.unsafe(`select md5(string_agg(t::text, '|')) as d from (${query}) t`))[0].d as string);
const versions = (url: string) =>
  withSql(url, async (sql) => (await sql`select version from public.schema_migrations order by version`).map((r) => r.version as string));
const columns = (url: string, table: string) =>
  withSql(url, async (sql) =>
    (await sql`select column_name from information_schema.columns where table_schema = 'app' and table_name = ${table} order by ordinal_position`).map((r) => r.column_name as string),
  );
const dumps = () => (existsSync(path.join(cwd, '.rb', 'dumps')) ? readdirSync(path.join(cwd, '.rb', 'dumps')) : []);

/** Schema-only dump without the random \restrict lines, to compare two databases' schemas. */
async function schemaOf(url: string): Promise<string> {
  const u = new URL(url);
  u.password = '';
  const result = await runProcess('pg_dump', ['--schema-only', '--no-owner', '--dbname', u.toString()]);
  assert.ok(result.ok, result.stderr);
  return result.stdout.replace(/^\\(un)?restrict .*$/gm, '');
}

let keptDump = '';

test('dump-and-restore: production rows, sequences above max(id), FKs, then the pending migration sees the data', async () => {
  await seedProduction();
  const local = await newDatabase();
  // Whatever the local database held before is replaced: a stray table in app, stale tracking rows.
  await withSql(local, (sql) => sql.unsafe(`create schema app; create table app.junk (id int); insert into app.junk values (1);
    create table public.schema_migrations (version varchar(128) primary key); insert into public.schema_migrations values ('1')`));

  const result = await runRb(['dump-and-restore', '--keep-dump'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);

  // Row counts and contents equal production's (user compared on production's columns).
  for (const table of ['app."user"', 'app.my_model', 'app.audit_log']) assert.is(await count(local, table), await count(prod, table), table);
  assert.is(await count(local, 'app."user"'), 301);
  for (const query of [
    'select id, email, created_at from app."user" order by id',
    'select * from app.my_model order by id',
    'select * from app.audit_log order by id',
  ]) {
    assert.is(await digest(local, query), await digest(prod, query), query);
  }
  const sample = await withSql(local, (sql) => sql`select id, email from app."user" where id in (1, 300, 5000) order by id`);
  assert.equal(sample.map((r) => [Number(r.id), r.email]), [[1, 'user1@example.com'], [300, 'user300@example.com'], [5000, 'late@example.com']]);
  assert.is(await withSql(local, async (sql) => (await sql`select to_regclass('app.junk') as r`)[0].r), null);

  // The next id is above every restored one (identity and serial), so inserts do not collide.
  await withSql(local, async (sql) => {
    const [u] = await sql`select nextval(pg_get_serial_sequence('app."user"', 'id')) as n`;
    assert.ok(Number(u.n) > 5000, `user nextval ${u.n}`);
    const [a] = await sql`select nextval(pg_get_serial_sequence('app.audit_log', 'id')) as n`;
    assert.ok(Number(a.n) > 9000, `audit_log nextval ${a.n}`);
    const [m] = await sql`insert into app.my_model (model_prop, user_id) values ('new', 1) returning id`;
    assert.ok(Number(m.id) > 1005);
  });

  // Foreign keys are back, validated, and enforced.
  await withSql(local, async (sql) => {
    const fks = await sql`select conname, convalidated from pg_constraint where contype = 'f' and connamespace = 'app'::regnamespace order by 1`;
    assert.equal(fks.map((r) => [r.conname, r.convalidated]), [['audit_log_user_id_fkey', true], ['my_model_user_id_fkey', true]]);
    const error = await sql`insert into app.my_model (user_id) values (999999)`.then(() => null, (e: { code: string }) => e.code);
    assert.is(error, '23503');
  });

  // The pending migration ran after the data and saw it.
  assert.equal(await versions(local), [...PROD_VERSIONS, '20241001000000']);
  const counts = await withSql(local, (sql) => sql`select id, model_count from app."user" where id in (1, 5000) order by id`);
  assert.equal(counts.map((r) => [Number(r.id), r.model_count]), [[1, 3], [5000, 5]]);

  // The schema is exactly what the migrations build (indexes, keys, comments recreated as they were).
  const fresh = await newDatabase();
  await migrate(fresh, cwd, names);
  assert.fixture(await schemaOf(local), await schemaOf(fresh));

  // Output: the summary, no password, no production data; the dump is kept, 0600, named by version.
  assert.match(result.stdout, /^Restored \.rb\/dumps\/production_20240901000000_\d{8}T\d{6}Z\.dump into /);
  assert.match(result.stdout, 'production version: 20240901000000 (schema rebuilt with 4 migrations)\n');
  assert.match(result.stdout, /\n {2}app\.user +301 rows\n/);
  assert.match(result.stdout, /\n {2}app\.my_model +1005 rows\n/);
  assert.match(result.stdout, /\n {2}app\.audit_log +701 rows\n/);
  assert.match(result.stdout, `Applied pending: ${PENDING}\n`);
  assert.match(result.stdout, "3 tables, 2007 rows; every table's row count equals the dump's;");
  assert.match(result.stdout, /\ntime: read dump [\d.]+s, .*load data [\d.]+s, build indexes [\d.]+s, .*pending migrations [\d.]+s; total [\d.]+s\n/);
  assert.match(result.stderr, 'rb: load: 3/3 tables');
  assert.not.match(result.stdout + result.stderr, 'hunter2');
  assert.not.match(result.stdout + result.stderr, 'user1@example.com');
  const kept = dumps();
  assert.is(kept.length, 1);
  assert.match(kept[0], /^production_20240901000000_\d{8}T\d{6}Z\.dump$/);
  keptDump = path.join(cwd, '.rb', 'dumps', kept[0]);
  assert.is(statSync(keptDump).mode & 0o777, 0o600);
  assert.is(statSync(path.dirname(keptDump)).mode & 0o777, 0o700);
  assert.match(result.stdout, `Kept .rb/dumps/${kept[0]} (production data, mode 0600)\n`);
});

test('dump-and-restore --no-pending --exclude-table-data: stops at production version, table empty, dump deleted', async () => {
  const local = await newDatabase();
  const before = dumps();
  const result = await runRb(['dump-and-restore', '--no-pending', '--exclude-table-data', 'audit_log'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  assert.is(await count(local, 'app.audit_log'), 0);
  assert.is(await count(local, 'app."user"'), 301);
  assert.match(result.stdout, /\n {2}app\.audit_log +data excluded \(0 rows\)\n/);
  assert.equal(await versions(local), PROD_VERSIONS);
  assert.equal(await columns(local, 'user'), ['id', 'email', 'created_at']);
  assert.is(await count(local, 'app.my_model'), 1005);
  assert.match(result.stdout, `Not applied (--no-pending): ${PENDING}\n`);
  // Named after its run (host tag, pid) until the restore ends: a killed run's dump is removed by the next one.
  assert.match(result.stdout, new RegExp(`\\nDeleted \\.rb/dumps/production_20240901000000_\\d{8}T\\d{6}Z\\.${hostTagOf(os.hostname())}_\\d+\\.dump\\n$`));
  assert.equal(dumps(), before, 'only the kept dump of the first test remains');
});

test('restore-to-dump --exclude-table-data leaves that table empty but present; --jobs 2 loads the rest', async () => {
  const local = await newDatabase();
  const result = await runRb(['restore-to-dump', keptDump, '--exclude-table-data', 'app.audit_*', '--exclude-table-data', 'nothing_else_matches_this_*x', '--jobs', '2'], {
    cwd,
    env: { DATABASE_URL: local },
  });
  assert.is(result.code, 2, 'a pattern that matches no table is a usage error');
  assert.is(result.stderr.trim().split('\n').at(-1), `rb: --exclude-table-data "nothing_else_matches_this_*x" matches no table in ${keptDump}; tables: app.audit_log, app.my_model, app.user, public.schema_migrations`);
  assert.is(await withSql(local, async (sql) => (await sql`select to_regclass('app.user') as r`)[0].r), null, 'nothing touched');

  const ok = await runRb(['restore-to-dump', keptDump, '--exclude-table-data', 'app.audit_*', '--jobs', '2'], { cwd, env: { DATABASE_URL: local } });
  assert.is(ok.code, 0, ok.stderr);
  assert.is(await count(local, 'app.audit_log'), 0);
  assert.equal(await columns(local, 'audit_log'), ['id', 'user_id', 'message']);
  assert.is(await count(local, 'app."user"'), 301);
  assert.is(await count(local, 'app.my_model'), 1005);
  assert.match(ok.stdout, /\n {2}app\.audit_log +data excluded \(0 rows\)\n/);
  assert.match(ok.stdout, "2 tables, 1306 rows; every table's row count equals the dump's;");
  assert.ok(existsSync(keptDump), 'restore-to-dump never deletes the file it was given');
});

test('a failing phase is named; the rerun starts clean and succeeds', async () => {
  const local = await newDatabase();
  const pendingFile = path.join(cwd, 'db', 'migrations', PENDING);
  const good = readFileSync(pendingFile, 'utf8');
  writeFileSync(pendingFile, migration('alter table app."user" add column model_count int;\nupdate app."user" set model_count = no_such_column;', 'select 1;'));
  try {
    const failed = await runRb(['restore-to-dump', keptDump], { cwd, env: { DATABASE_URL: local } });
    assert.is(failed.code, 4, failed.stderr);
    assert.match(
      failed.stderr,
      `rb: restore failed in phase "pending migrations": db/migrations/${PENDING}:3:`,
    );
    assert.match(failed.stderr, 'column "no_such_column" does not exist (SQLSTATE 42703)');
    assert.match(failed.stderr, "the data is restored at production's version; fix the migration and run rb upgrade\n");
    assert.equal(await versions(local), PROD_VERSIONS);
  } finally {
    writeFileSync(pendingFile, good);
  }
  const rerun = await runRb(['restore-to-dump', keptDump], { cwd, env: { DATABASE_URL: local } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(await versions(local), [...PROD_VERSIONS, '20241001000000']);
  assert.is(await count(local, 'app.my_model'), 1005);
});

test.after(async () => {
  await dropDatabases(databases);
  rmSync(cwd, { recursive: true, force: true });
});

test.run();
