import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, dropDatabases, repoRoot, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { runProcess } from '../../src/process.ts';
import { parseDatabaseUrl } from '../../src/target/database-url.ts';

// Production is migrated with the example migrations plus one more; this checkout lacks that one.
const repoMigrations = path.join(repoRoot, 'db', 'migrations');
const exampleFiles = Object.fromEntries(readdirSync(repoMigrations).map((f) => [f, readFileSync(path.join(repoMigrations, f), 'utf8')]));
const EXTRA = '20240901000000_add_audit_log.sql';
const prodProject = tempProject({ ...exampleFiles, [EXTRA]: migration('create table app.audit_log (id bigserial primary key, message text);', 'drop table app.audit_log;') });
const behindProject = tempProject(exampleFiles);
// Removed after the run, with the databases.
const dirs = [prodProject, behindProject];
const databases: string[] = [];
async function newDatabase(): Promise<string> {
  const url = await createEmptyDatabase(import.meta.url);
  databases.push(url);
  return url;
}

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = 'hunter2';
  return parsed.toString();
}

let prod = '';
let dumpFile = '';

/** A local database with its own content, to prove a refused restore leaves it alone. */
async function localWithContent(): Promise<string> {
  const local = await newDatabase();
  await withSql(local, (sql) => sql.unsafe(`create schema app; create table app.keep (id int); insert into app.keep select generate_series(1, 7);
    create table public.schema_migrations (version varchar(128) primary key); insert into public.schema_migrations values ('20240801000000')`));
  return local;
}

const localState = (url: string) =>
  withSql(url, async (sql) => ({
    keep: Number((await sql`select count(*) from app.keep`)[0].count),
    versions: (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string),
    tables: (await sql`select table_schema || '.' || table_name as t from information_schema.tables where table_schema in ('app', 'public') order by 1`).map((r) => r.t as string),
  }));

test.before(async () => {
  prod = withPassword(await newDatabase());
  const result = await runDbmate({ url: prod, migrationsDir: path.join(prodProject, 'db', 'migrations') }, ['migrate']);
  assert.ok(result.ok, result.stderr);
  await withSql(prod, (sql) => sql.unsafe(`insert into app."user" (email) values ('a@example.com'), ('b@example.com')`));
  dumpFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-restore-refusals-')), 'prod.dump');
  dirs.push(path.dirname(dumpFile));
  const url = new URL(prod);
  url.password = '';
  const dump = await runProcess('pg_dump', ['--format=custom', '--file', dumpFile, '--dbname', url.toString()]);
  assert.ok(dump.ok, dump.stderr);
});

const lastLine = (text: string) => text.trim().split('\n').at(-1);

test('restore-to-dump refuses when production applied a migration this checkout lacks; the local database is untouched', async () => {
  const local = await localWithContent();
  const before = await localState(local);
  const result = await runRb(['restore-to-dump', dumpFile], { cwd: behindProject, env: { DATABASE_URL: local } });
  assert.is(result.code, 5);
  assert.is(
    lastLine(result.stderr),
    'rb: production has applied 1 migration(s) that db/migrations does not have: 20240901000000; update your checkout (git pull) so it has them, then run the restore again; the local database was not touched',
  );
  assert.equal(await localState(local), before);
});

test('dump-and-restore refuses the same before dumping: no dump file, local database untouched', async () => {
  const local = await localWithContent();
  const before = await localState(local);
  const result = await runRb(['dump-and-restore'], { cwd: behindProject, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 5);
  assert.match(lastLine(result.stderr)!, 'rb: production has applied 1 migration(s) that db/migrations does not have: 20240901000000;');
  assert.not.ok(existsSync(path.join(behindProject, '.rb', 'dumps')) && readdirSync(path.join(behindProject, '.rb', 'dumps')).length > 0);
  assert.equal(await localState(local), before);
  assert.not.match(result.stderr, 'hunter2');
});

test('the restore target may not be production, however it is spelled', async () => {
  const { port, database } = parseDatabaseUrl(prod);
  const prodCount = () => withSql(prod, async (sql) => Number((await sql`select count(*) from app."user"`)[0].count));
  const localhostSpelling = `postgres://postgres@localhost:${port}/${database}?sslmode=disable`;
  for (const [args, env] of [
    [['restore-to-dump', dumpFile], { DATABASE_URL: prod, PROD_DATABASE_URL: prod }],
    [['restore-to-dump', dumpFile, '--database-url', localhostSpelling], { PROD_DATABASE_URL: prod }],
    [['dump-and-restore'], { DATABASE_URL: localhostSpelling, PROD_DATABASE_URL: prod }],
  ] as const) {
    const result = await runRb([...args], { cwd: prodProject, env });
    assert.is(result.code, 5, result.stderr);
    assert.match(lastLine(result.stderr)!, new RegExp(`^rb: the restore target postgres@(127\\.0\\.0\\.1|localhost):${port}/${database} \\(from (DATABASE_URL|--database-url)\\) is production's database \\(PROD_DATABASE_URL\\); rb restores into a local database only`));
    assert.not.match(result.stderr, 'hunter2');
  }
  const withProd = await runRb(['restore-to-dump', dumpFile, '--prod'], { cwd: prodProject, env: { PROD_DATABASE_URL: prod } });
  assert.is(withProd.code, 5);
  assert.is(lastLine(withProd.stderr), 'rb: rb restores into the local database only; run it without --prod (the dump is read from PROD_DATABASE_URL or the file you name)');
  assert.is(await prodCount(), 2);
  assert.not.ok(existsSync(path.join(prodProject, '.rb', 'dumps')), 'nothing was dumped');
});

test('dump-and-restore refuses when pg_dump is older than the production server, naming both and what to install', async () => {
  const local = await localWithContent();
  const before = await localState(local);
  // An older client first in PATH (only its --version answers: rb must stop before running it).
  const bin = mkdtempSync(path.join(os.tmpdir(), 'rb-old-pg-dump-'));
  dirs.push(bin);
  writeFileSync(path.join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 14.9"\n');
  chmodSync(path.join(bin, 'pg_dump'), 0o755);
  const server = await withSql(prod, async (sql) => (await sql`select current_setting('server_version') as v`)[0].v as string);
  const major = server.split('.')[0];
  const result = await runRb(['dump-and-restore'], { cwd: prodProject, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod, PATH: `${bin}:${process.env.PATH}` } });
  assert.is(result.code, 5);
  assert.is(
    lastLine(result.stderr),
    `rb: pg_dump 14.9 is older than the production server (PostgreSQL ${server}) and cannot dump it; install the PostgreSQL ${major} client tools (Debian: apt-get install postgresql-client-${major} from apt.postgresql.org) and put them first in PATH; the local database was not touched`,
  );
  assert.equal(await localState(local), before);
  assert.not.ok(existsSync(path.join(prodProject, '.rb', 'dumps')) && readdirSync(path.join(prodProject, '.rb', 'dumps')).length > 0);
});

test('bad input: a file that is not an archive, a missing file, a bad --jobs; nothing touched', async () => {
  const local = await localWithContent();
  const before = await localState(local);
  const plain = path.join(path.dirname(dumpFile), 'plain.sql');
  writeFileSync(plain, 'select 1;\n');
  const notArchive = await runRb(['restore-to-dump', plain], { cwd: prodProject, env: { DATABASE_URL: local } });
  assert.is(notArchive.code, 1);
  assert.match(lastLine(notArchive.stderr)!, `rb: ${plain} is not a pg_dump archive rb can read (`);
  assert.match(lastLine(notArchive.stderr)!, '); make it with pg_dump --format=custom, or use rb dump-and-restore');
  const missing = await runRb(['restore-to-dump', 'nope.dump'], { cwd: prodProject, env: { DATABASE_URL: local } });
  assert.is(missing.code, 2);
  assert.is(lastLine(missing.stderr), `rb: ${path.join(prodProject, 'nope.dump')}: no such dump file; give the path of a pg_dump --format=custom archive`);
  const jobs = await runRb(['restore-to-dump', dumpFile, '--jobs', '0'], { cwd: prodProject, env: { DATABASE_URL: local } });
  assert.is(jobs.code, 2);
  assert.is(lastLine(jobs.stderr), 'rb: --jobs 0 is not a number of jobs; use a whole number from 1 to 64, such as --jobs 2');
  assert.equal(await localState(local), before);
});

test('a rerun rebuilds what the migrations create in any schema (public.settings); objects made by hand are not kept', async () => {
  const settings = '20240902000000_add_settings.sql';
  const project = tempProject({
    ...exampleFiles,
    [EXTRA]: readFileSync(path.join(prodProject, 'db', 'migrations', EXTRA), 'utf8'),
    [settings]: migration('create table public.settings (key text primary key, value text);', 'drop table public.settings;'),
  });
  dirs.push(project);
  const source = await newDatabase();
  const migrated = await runDbmate({ url: source, migrationsDir: path.join(project, 'db', 'migrations') }, ['migrate']);
  assert.ok(migrated.ok, migrated.stderr);
  await withSql(source, (sql) => sql.unsafe(`insert into public.settings values ('theme', 'dark')`));
  const file = path.join(path.dirname(dumpFile), 'settings.dump');
  const dumped = await runProcess('pg_dump', ['--format=custom', '--file', file, '--dbname', source]);
  assert.ok(dumped.ok, dumped.stderr);
  const local = await newDatabase();

  const first = await runRb(['restore-to-dump', file], { cwd: project, env: { DATABASE_URL: local } });
  assert.is(first.code, 0, first.stderr);
  await withSql(local, (sql) => sql.unsafe(`create table public.made_by_hand (id int); insert into public.settings values ('local', 'edit')`));
  const rerun = await runRb(['restore-to-dump', file], { cwd: project, env: { DATABASE_URL: local } });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.equal(await withSql(local, async (sql) => (await sql`select key, value from public.settings`).map((r) => [r.key, r.value])), [['theme', 'dark']]);
  assert.is(await withSql(local, async (sql) => (await sql`select to_regclass('public.made_by_hand') as r`)[0].r), null);
  assert.is(await withSql(local, async (sql) => Number((await sql`select count(*) from public.schema_migrations`)[0].count)), 5);
});

test('the standalone script restores like the CLI', async () => {
  const local = await newDatabase();
  const script = path.join(repoRoot, 'scripts', 'dump-restore.ts');
  // The project has no node_modules of its own: load tsx from rb's.
  const result = await runProcess(process.execPath, ['--import', import.meta.resolve('tsx'), script, 'restore-to-dump', dumpFile, '--no-pending'], {
    cwd: prodProject,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: local },
  });
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, 'production version: 20240901000000 (schema rebuilt with 4 migrations)\n');
  // pg_dump wrote the file with the default umask: the restore warns, it does not refuse.
  assert.match(result.stderr, `rb: warning: ${dumpFile} is readable by other users (mode 644) and holds production data; chmod 600 ${dumpFile}\n`);
  assert.equal(await withSql(local, async (sql) => (await sql`select email from app."user" order by id`).map((r) => r.email)), ['a@example.com', 'b@example.com']);
});

test.after(async () => {
  await dropDatabases(databases);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test.run();
