// rb baseline (issue 11): adopting a database that has tables and data but no recorded migration,
// locally and on production, then carrying on with rb as usual.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, dropDatabases, withSql } from '../support/databases.ts';
import { runRb, startRb, tempProject, type RbRun } from '../support/project.ts';
import { connect } from '../../src/client.ts';
import { LOCK_KEYS } from '../../src/migrations/migration-lock.ts';

/** What an app's old setup built (by hand, or a tool rb cannot import): tables with data in public. */
const EXISTING_APP = `
  create extension if not exists citext;
  create table public.users (id serial primary key, email citext not null unique, name varchar(100), created_at timestamptz not null default now());
  create table public.posts (id bigint generated always as identity primary key, user_id integer not null references public.users (id), title text not null);
  create index posts_user_id_idx on public.posts (user_id);
  create view public.post_counts as select user_id, count(*) as posts from public.posts group by user_id;
  create function public.title_length(p public.posts) returns int language sql stable as $$ select length(p.title) $$;
  -- Knex's tracking tables (serial id): another tool's history, left out of the baseline.
  create table public.knex_migrations (id serial primary key, name varchar(255), batch integer, migration_time timestamptz);
  create table public.knex_migrations_lock (index serial primary key, is_locked integer);
  insert into public.knex_migrations (name, batch, migration_time) values ('20200101_init.js', 1, now());
  insert into public.users (email, name) select 'user' || g || '@example.com', 'User ' || g from generate_series(1, 20) g;
  insert into public.posts (user_id, title) select 1 + g % 20, 'Post ' || g from generate_series(1, 50) g;`;

const PGTYPED = JSON.stringify({ transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }], srcDir: './queries/' });

const databases: string[] = [];
async function existingDatabase(extra = ''): Promise<string> {
  const url = await createEmptyDatabase(import.meta.url);
  databases.push(url);
  await withSql(url, (sql) => sql.unsafe(EXISTING_APP + extra));
  return url;
}

function app(): string {
  const cwd = tempProject();
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'existing-app', private: true, rb: { schemas: ['public'] } }));
  return cwd;
}

const one = async (url: string, query: string) => withSql(url, async (sql) => Object.values((await sql.unsafe(query))[0])[0]);
const versions = async (url: string) =>
  withSql(url, async (sql) => (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string));
const migrationFiles = (cwd: string) => readdirSync(path.join(cwd, 'db', 'migrations')).sort();
const ok = (run: RbRun) => assert.is(run.code, 0, `${run.stdout}\n${run.stderr}`);

const cwd = app();
let local = '';
let prod = '';
let baselineFile = '';
let baselineVersion = '';

test.before(async () => {
  local = await existingDatabase();
  prod = await existingDatabase("insert into public.users (email) values ('only-on-prod@example.com');");
});

test('rb status on a database with tables and nothing recorded warns and names rb baseline', async () => {
  const status = await runRb(['status'], { cwd, env: { DATABASE_URL: local } });
  ok(status);
  assert.is(status.stdout.trim().split('\n').at(-1), '0 applied, 0 pending; current version: none');
  assert.is(
    status.stderr,
    'warning: schema public holds 2 table(s), but no migration is recorded on this database; adopt it as it is with rb baseline: ' +
      'it writes a baseline migration of the schema and records it as applied without running it (applying the migrations from the first would fail on what exists)\n',
  );
  const prodStatus = await runRb(['status', '--prod'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.match(prodStatus.stderr, 'adopt it as it is with rb baseline --prod: it writes');
  // What the issue met: a first migration that meets what exists. rb upgrade says why before it fails.
  const migrated = app();
  writeFileSync(path.join(migrated, 'db', 'migrations', '20240101000000_users.sql'), '-- migrate:up\ncreate table public.users (id bigint);\n\n-- migrate:down\ndrop table public.users;\n');
  const upgrade = await runRb(['upgrade'], { cwd: migrated, env: { DATABASE_URL: await existingDatabase() } });
  assert.is(upgrade.code, 4);
  const [warning, error] = upgrade.stderr.trim().split('\n');
  assert.is(warning, status.stderr.trim());
  assert.match(error, 'relation "users" already exists (SQLSTATE 42P07)', error);
});

test('--dry-run says what would be written and recorded, and changes nothing', async () => {
  const dry = await runRb(['baseline', '--dry-run'], { cwd, env: { DATABASE_URL: local } });
  ok(dry);
  const lines = dry.stdout.trim().split('\n');
  assert.match(lines[0], /^Would write db\/migrations\/(\d{14})_baseline\.sql: the schema of public \(1 extension, 2 tables, 1 view, 2 sequences, 1 index, 1 function\); left out: public\.knex_migrations \(Knex's tracking table\), public\.knex_migrations_lock \(Knex's tracking table\)$/);
  assert.match(lines[1], /^Would record \d{14}_baseline\.sql as applied on .* \(from DATABASE_URL\), without running it$/);
  assert.is(lines[2], 'Dry run: nothing was written or recorded');
  assert.equal(migrationFiles(cwd), []);
  assert.is(await one(local, `select to_regclass('public.schema_migrations')`), null);
});

test('baseline locally: writes the migration from the live schema, records it without running it, data untouched', async () => {
  const run = await runRb(['baseline'], { cwd, env: { DATABASE_URL: local } });
  ok(run);
  [baselineFile] = migrationFiles(cwd);
  baselineVersion = baselineFile.slice(0, 14);
  assert.match(baselineFile, /^\d{14}_baseline\.sql$/);
  assert.is(
    run.stdout,
    `Wrote db/migrations/${baselineFile}: the schema of public (1 extension, 2 tables, 1 view, 2 sequences, 1 index, 1 function); ` +
      "left out: public.knex_migrations (Knex's tracking table), public.knex_migrations_lock (Knex's tracking table)\n" +
      `Recorded ${baselineFile} as applied on ${run.stdout.split(' applied on ')[1].split(', without')[0]}, without running it\n` +
      'Wrote db/schema.sql\n',
  );
  const text = readFileSync(path.join(cwd, 'db', 'migrations', baselineFile), 'utf8');
  assert.ok(text.startsWith('-- rb:baseline\n-- The schema of public in the database "'), text.slice(0, 200));
  assert.match(text, "-- Left out: public.knex_migrations (Knex's tracking table), public.knex_migrations_lock (Knex's tracking table).\n\n-- migrate:up\nSET LOCAL statement_timeout = 0;\n");
  assert.match(text, 'CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;');
  assert.match(text, 'CREATE TABLE public.users (');
  assert.match(text, 'CREATE VIEW public.post_counts AS');
  assert.not.match(text.split('-- migrate:up')[1], /knex_migrations|CREATE SCHEMA public|OWNER TO|GRANT /);
  assert.ok(text.endsWith('\n-- migrate:down\n-- rb:irreversible a baseline is the schema rb adopted the database with; rolling it back would drop everything, so restore a dump instead\n'));
  // Recorded, not run: the data and the other tool's table are as they were.
  assert.equal(await versions(local), [baselineVersion]);
  assert.is(await one(local, `select count(*)::int from public.rb_migrations where version = '${baselineVersion}' and state = 'applied'`), 1);
  assert.is(await one(local, 'select count(*)::int from public.users'), 20);
  assert.is(await one(local, 'select count(*)::int from public.posts'), 50);
  assert.is(await one(local, 'select count(*)::int from public.knex_migrations'), 1);
  const schema = readFileSync(path.join(cwd, 'db', 'schema.sql'), 'utf8');
  assert.match(schema, 'CREATE TABLE public.users (');
  assert.not.match(schema, 'knex_migrations', "db/schema.sql leaves other tools' tables out");
  const status = await runRb(['status'], { cwd, env: { DATABASE_URL: local } });
  ok(status);
  assert.equal(status.stdout.trim().split('\n').slice(1), [`applied    ${baselineFile}`, `1 applied, 0 pending; current version: ${baselineVersion}`]);
  assert.is(status.stderr, '', 'no warning once adopted');
});

test('a second baseline of the same database is refused: it records a migration now', async () => {
  const again = await runRb(['baseline'], { cwd, env: { DATABASE_URL: local } });
  assert.is(again.code, 2);
  assert.match(again.stderr, new RegExp(`^rb: the database "[^"]+" already records 1 migration\\(s\\) in public.schema_migrations \\(newest ${baselineVersion}\\); rb baseline adopts a database no migration is recorded on`));
  assert.equal(migrationFiles(cwd), [baselineFile]);
});

test('production: refused without confirmation; a schema that differs is refused at its line; the same schema is recorded with --prod --yes', async () => {
  const env = { PROD_DATABASE_URL: prod };
  const unconfirmed = await runRb(['baseline', '--prod'], { cwd, env });
  assert.is(unconfirmed.code, 5, unconfirmed.stderr);
  assert.match(unconfirmed.stderr, `  - (its schema is the one in db/migrations/${baselineFile}: checked)\n  - record ${baselineFile} as applied in public.schema_migrations without running it\n`);
  assert.is(await one(prod, `select to_regclass('public.schema_migrations')`), null);

  await withSql(prod, (sql) => sql`alter table public.posts add column draft boolean`);
  const differs = await runRb(['baseline', '--prod', '--yes'], { cwd, env });
  assert.is(differs.code, 2);
  const text = readFileSync(path.join(cwd, 'db', 'migrations', baselineFile), 'utf8').split('\n');
  const line = text.indexOf('    title text NOT NULL') + 1;
  assert.is(
    differs.stderr,
    `rb: db/migrations/${baselineFile}:${line}: the schema of production's database "${new URL(prod).pathname.slice(1)}" differs from this baseline ` +
      '(the file has "    title text NOT NULL", the database "    title text NOT NULL,"), so recording it as applied would be false; ' +
      "make this database's schema match the baseline (compare its pg_dump --schema-only with the file), then run rb baseline again\n",
  );
  await withSql(prod, (sql) => sql`alter table public.posts drop column draft`);

  const run = await runRb(['baseline', '--prod', '--yes'], { cwd, env });
  ok(run);
  // --yes answers for the person: the target and the plan are still printed (CI logs show what ran where).
  assert.match(run.stderr, /^PRODUCTION: adopt this database with a baseline\n[\s\S]*\nThis will:\n  - \(its schema is the one in db\/migrations\/[^)]+: checked\)\n  - record [^\n]+ as applied in public\.schema_migrations without running it\nConfirmed by --yes\.\n/m);
  assert.equal(run.stdout.split('\n').slice(0, 2), [
    `The schema of public (1 extension, 2 tables, 1 view, 2 sequences, 1 index, 1 function) is the one in db/migrations/${baselineFile}`,
    `Recorded ${baselineFile} as applied on PRODUCTION ${run.stdout.split('on PRODUCTION ')[1].split(', without')[0]}, without running it`,
  ]);
  assert.equal(await versions(prod), [baselineVersion]);
  assert.is(await one(prod, 'select count(*)::int from public.users'), 21);
  assert.equal(migrationFiles(cwd), [baselineFile], 'the file was not written again');
});

test('after the baseline: a new migration, upgrade, types and rb check pass; production gets only the new migration', async () => {
  const env = { DATABASE_URL: local };
  const created = await runRb(['new-migration', 'add post slug'], { cwd, env });
  ok(created);
  const newFile = migrationFiles(cwd).find((f) => f.endsWith('_add_post_slug.sql'))!;
  writeFileSync(
    path.join(cwd, 'db', 'migrations', newFile),
    '-- migrate:up\nalter table public.posts add column slug text;\n\n-- migrate:down\nalter table public.posts drop column slug;\n',
  );
  const upgrade = await runRb(['upgrade'], { cwd, env });
  ok(upgrade);
  assert.match(upgrade.stdout, `Applied: ${newFile}\n`);
  assert.not.match(upgrade.stdout, baselineFile, 'the baseline is not run');
  assert.is(await one(local, 'select count(*)::int from public.posts where slug is null'), 50);

  writeFileSync(path.join(cwd, 'pgtyped.config.json'), PGTYPED);
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'posts.sql'), '/* @name PostsByUser */\nSELECT p.id, p.title, p.slug, u.email FROM posts p JOIN users u ON u.id = p.user_id WHERE u.id = :userId!;\n');
  const types = await runRb(['types'], { cwd, env });
  ok(types);
  const generated = readFileSync(path.join(cwd, 'queries', 'posts.queries.ts'), 'utf8');
  assert.match(generated, /export interface IPostsByUserResult \{\n {2}email: string;\n {2}id: string;\n {2}slug: string \| null;\n {2}title: string;\n\}/, generated);

  // Lint skips the baseline (pg_dump's serial columns and foreign keys would be findings); the
  // round trip skips its irreversible down and checks the new migration's.
  const check = await runRb(['check', '--json'], { cwd, env });
  ok(check);
  const result = JSON.parse(check.stdout) as { ok: boolean; migrations: number; roundTripChecked: number; stages: Record<string, { status: string }> };
  assert.equal(
    { ok: result.ok, migrations: result.migrations, checked: result.roundTripChecked, stages: Object.values(result.stages).map((s) => s.status) },
    { ok: true, migrations: 2, checked: 1, stages: ['passed', 'passed', 'passed', 'passed', 'passed'] },
  );

  const prodUpgrade = await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } });
  ok(prodUpgrade);
  assert.match(prodUpgrade.stdout, `Applied: ${newFile}\nPRODUCTION `);
  assert.equal(await versions(prod), [baselineVersion, newFile.slice(0, 14)]);
});

test('a new database needs no baseline: rb baseline says so, rb upgrade builds the schema from it', async () => {
  const fresh = await createEmptyDatabase(import.meta.url);
  databases.push(fresh);
  const refused = await runRb(['baseline'], { cwd, env: { DATABASE_URL: fresh } });
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /^rb: schema public of the database "[^"]+" holds no tables: nothing to baseline; an empty database needs no baseline: rb upgrade builds it from db\/migrations\n$/);
  const upgrade = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: fresh } });
  ok(upgrade);
  assert.match(upgrade.stdout, `Applied: ${baselineFile}\n`);
  assert.is(await one(fresh, `select count(*)::int from pg_class where relname in ('users', 'posts', 'post_counts')`), 3);
  assert.is(await one(fresh, `select to_regclass('public.knex_migrations')`), null);
  // pg_dump's SET search_path = '' stayed inside the baseline's transaction (SET LOCAL).
  assert.is(await one(fresh, `select count(*)::int from public.posts where slug is null`), 0);
});

test('tables in other schemas than the configured ones: rb status and the refusal name them and the setting', async () => {
  const other = await createEmptyDatabase(import.meta.url);
  databases.push(other);
  await withSql(other, (sql) => sql.unsafe('create schema shop; create table shop.orders (id bigint primary key); create table shop.items (id bigint);'));
  const elsewhere = app();
  const status = await runRb(['status'], { cwd: elsewhere, env: { DATABASE_URL: other } });
  ok(status);
  assert.is(
    status.stderr,
    'warning: no migration is recorded on this database, and its tables are in shop (2), outside the schema rb manages (public); ' +
      'if they are the app\'s, name them in package.json ("rb": {"schemas": ["shop"]}) and adopt the database with rb baseline\n',
  );
  const refused = await runRb(['baseline'], { cwd: elsewhere, env: { DATABASE_URL: other } });
  assert.is(refused.code, 2);
  assert.match(refused.stderr, `holds no tables: nothing to baseline; its tables are in shop: name the schemas rb manages in package.json ("rb": {"schemas": ["shop"]})\n`);
  assert.equal(migrationFiles(elsewhere), []);
});

test('rb baseline records under the migration lock: it waits for another migration run; Ctrl-C while waiting records nothing, the next run does', async () => {
  const url = await existingDatabase();
  const project = app();
  const holder = connect(url, { max: 1, connection: { application_name: 'deploy-on-other-host' } });
  try {
    const held = await holder.reserve();
    await held`select pg_advisory_lock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`;
    const waiting = startRb(['baseline'], { cwd: project, env: { DATABASE_URL: url } });
    await waiting.waitForStderr('waiting for the migration lock');
    waiting.child.kill('SIGINT');
    const stopped = await waiting.done;
    assert.is(stopped.code, 130, stopped.stderr);
    const [file] = migrationFiles(project);
    assert.is(
      stopped.stderr.trim().split('\n').at(-1),
      `rb: stopped by SIGINT while waiting for the migration lock; nothing was applied; db/migrations/${file} was written: run rb baseline again to record it`,
    );
    assert.is(await one(url, `select to_regclass('public.schema_migrations')`), null, 'nothing recorded');
    await held`select pg_advisory_unlock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`;
    held.release();
  } finally {
    await holder.end({ timeout: 5 });
  }
  const again = await runRb(['baseline'], { cwd: project, env: { DATABASE_URL: url } });
  ok(again);
  assert.match(again.stdout, /^The schema of public \(.*\) is the one in db\/migrations\/\d{14}_baseline\.sql\nRecorded /);
  assert.equal(await versions(url), [migrationFiles(project)[0].slice(0, 14)]);
});

test.after(async () => {
  await dropDatabases(databases);
});

test.run();
