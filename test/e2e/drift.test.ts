import { appendFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processExists } from '@rbsql/runtime/project';
import { takeSnapshot } from '../../src/check/schema-snapshot.ts';
import { describeUrl, parseDatabaseUrl, withDatabase } from '../../src/target/database-url.ts';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject, type RbRun } from '../support/project.ts';
import { dedicatedServer } from '../support/server.ts';
import { tempDir } from '../support/temp.ts';

const migrations = {
  '20240101000001_create_t.sql': migration('create table t (id bigint primary key, a varchar(10), b text);\ncreate index t_b_idx on t (b);', 'drop table t;'),
  '20240101000002_create_u.sql': migration('create table u (id bigint primary key, t_id bigint references t);', 'drop table u;'),
};

/** A project whose migrations were applied to a fresh database by rb upgrade (checksums recorded). */
async function migratedProject(): Promise<{ cwd: string; url: string; env: Record<string, string> }> {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(migrations);
  const env = { DATABASE_URL: url };
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  return { cwd, url, env };
}

const lines = (text: string) => text.split('\n').filter(Boolean);
const secondsPattern = String.raw`\(\d+\.\d s\)`;

test('no drift on a database its migrations built: exit 0; an edited applied file is named', async () => {
  const { cwd, url, env } = await migratedProject();
  const run = await runRb(['drift'], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, '');
  assert.match(run.stdout, new RegExp(`^rb drift: ${describeUrl(url)} \\(from DATABASE_URL\\): no drift; its schema is what its 2 applied migration\\(s\\) create ${secondsPattern}\\n$`));

  // A comment added to an applied file changes no schema; rb says the file is not what was applied.
  appendFileSync(path.join(cwd, 'db', 'migrations', '20240101000002_create_u.sql'), '-- reviewed\n');
  const edited = await runRb(['drift'], { cwd, env });
  assert.is(edited.code, 0, edited.stderr);
  const db = parseDatabaseUrl(url).database;
  assert.is(edited.stderr, `note: 20240101000002_create_u.sql was edited after it was applied to database ${db}; the expected schema uses the file as it is now\n`);
});

test('drift after a hand-made create index / alter table / drop index: one sentence each, exit 1; other tools\' tables and schemas no migration creates are left out', async () => {
  const { cwd, url, env } = await migratedProject();
  const db = parseDatabaseUrl(url).database;
  await withSql(url, (sql) =>
    sql.unsafe(`
      create index t_a_idx on t (a);
      alter table t alter column a type text;
      alter table t add column c integer not null default 0;
      drop index t_b_idx;
      alter table u rename constraint u_t_id_fkey to u_t_fk;
      comment on table u is 'made by hand';
      create table public.flyway_schema_history (installed_rank int primary key);
      create schema reporting;
      create view reporting.t_count as select count(*) from public.t;`),
  );
  const run = await runRb(['drift'], { cwd, env });
  assert.is(run.code, 1, run.stderr);
  assert.equal(lines(run.stdout).slice(0, -1), [
    `constraint public.u.u_t_id_fkey is named u_t_fk in database ${db} (same definition)`,
    `column public.t.c exists in database ${db} but no migration creates it`,
    `index public.t_a_idx exists in database ${db} but no migration creates it`,
    `index public.t_b_idx is missing in database ${db} (the migrations create it)`,
    `column public.t.a: type is "text" in database ${db}, "character varying(10)" in the migrations`,
    `table public.u: comment is "made by hand" in database ${db}, none in the migrations`,
  ]);
  assert.match(lines(run.stdout).at(-1)!, new RegExp(`^rb drift: ${describeUrl(url)} \\(from DATABASE_URL\\): 6 difference\\(s\\) from what its 2 applied migration\\(s\\) create ${secondsPattern}$`));
  assert.equal(lines(run.stderr), [
    'note: not compared: schema(s) reporting (no migration creates them; list them in "rb": {"schemas": [...]} in package.json to compare them)',
    `rb: drift: 6 difference(s) between database ${db} and what its applied migrations create; see the lines above`,
  ]);

  const json = await runRb(['drift', '--json'], { cwd, env });
  assert.is(json.code, 1);
  const result = JSON.parse(json.stdout) as { ok: boolean; applied: number; differences: { kind: string; object: string }[]; notCompared: string[]; target: unknown };
  assert.is(result.ok, false);
  assert.equal(result.target, { database: describeUrl(url), kind: 'url', source: 'DATABASE_URL', production: false });
  assert.is(lines(json.stderr).at(-1), `rb: drift: 6 difference(s) between database ${db} and what its applied migrations create; see the JSON output`);
  // rb status --drift --json: the same result under "drift", exit 1 as rb drift.
  const statusJson = await runRb(['status', '--drift', '--json'], { cwd, env });
  assert.is(statusJson.code, 1, statusJson.stderr);
  const withDrift = JSON.parse(statusJson.stdout) as { applied: number; drift: { ok: boolean; differences: unknown[] } };
  assert.is(withDrift.applied, 2);
  assert.is(withDrift.drift.ok, false);
  assert.equal(withDrift.drift.differences, (result as unknown as { differences: unknown[] }).differences);
  assert.is(result.applied, 2);
  assert.equal(result.notCompared, ['reporting']);
  assert.equal(result.differences.map((d) => `${d.kind} ${d.object}`), [
    'changed constraint public.u.u_t_id_fkey',
    'extra column public.t.c',
    'extra index public.t_a_idx',
    'missing index public.t_b_idx',
    'changed column public.t.a',
    'changed table public.u',
  ]);

  // rb status mentions it on request, and exits 1 like rb drift.
  const status = await runRb(['status', '--drift'], { cwd, env });
  assert.is(status.code, 1, status.stderr);
  assert.equal(lines(status.stdout).slice(0, 6), [
    `${describeUrl(url)} (from DATABASE_URL)`,
    'applied    20240101000001_create_t.sql',
    'applied    20240101000002_create_u.sql',
    '2 applied, 0 pending; current version: 20240101000002',
    'drift: 6 difference(s) from what the applied migrations create:',
    `  constraint public.u.u_t_id_fkey is named u_t_fk in database ${db} (same definition)`,
  ]);
  const plain = await runRb(['status'], { cwd, env });
  assert.is(plain.code, 0);
  assert.not.match(plain.stdout, /^drift:/m);
});

test('rb status --drift on a clean database says so and exits 0', async () => {
  const { cwd, env } = await migratedProject();
  const run = await runRb(['status', '--drift'], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  assert.is(lines(run.stdout).at(-1), 'drift: none; the schema is what the 2 applied migration(s) create');
});

test('a scratch database a killed rb check or rb drift left is dropped and named on stderr (not in --json stdout)', async () => {
  const { cwd, url, env } = await migratedProject();
  let deadPid = 999_999;
  while (processExists(deadPid)) deadPid += 1;
  const leftover = `rb_check_${deadPid}_0a0b0c`;
  await withSql(url, (sql) => sql.unsafe(`create database ${leftover}`));
  const run = await runRb(['drift', '--json'], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, `rb drift: dropped ${leftover}, a scratch database left by an rb that was killed (pid ${deadPid})\n`);
  assert.is((JSON.parse(run.stdout) as { ok: boolean }).ok, true);
  assert.is(await withSql(url, async (sql) => (await sql`select count(*)::int as n from pg_database where datname = ${leftover}`)[0].n), 0);
});

test('an applied migration whose file is missing is reported, not guessed: exit 2', async () => {
  const { cwd, env } = await migratedProject();
  renameSync(path.join(cwd, 'db', 'migrations', '20240101000002_create_u.sql'), path.join(tempDir('moved-'), 'x.sql'));
  const run = await runRb(['drift'], { cwd, env });
  assert.is(run.code, 2);
  assert.is(run.stdout, '');
  assert.match(
    run.stderr,
    /^rb: database rbt_\w+ has applied 1 migration\(s\) that db\/migrations does not have: 20240101000002; rb drift builds the expected schema from the applied files and does not guess what those created: update your checkout \(git pull\) and run it again\n$/,
  );
});

/**
 * Production on a server of its own, migrated as a non-superuser role whose role-level
 * search_path puts unqualified names in "app"; afterwards that role may only read.
 */
async function production(cwd: string) {
  const server = await dedicatedServer();
  await withSql(server.adminUrl, async (sql) => {
    await sql.unsafe(`create role deploy login password 'deploy-secret'`);
    await sql.unsafe('create database shop owner deploy');
    await sql.unsafe('alter role deploy in database shop set search_path = app, public');
  });
  const prodUrl = withDatabase(server.adminUrl, 'shop').replace('postgres:hunter2@', 'deploy:deploy-secret@');
  const up = await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prodUrl } });
  assert.is(up.code, 0, up.stderr);
  return { server, prodUrl };
}

test('--prod: reads production without a confirmation and never writes to it or its server; owners and search_path are production\'s', async () => {
  const cwd = tempProject({
    '20240101000000_create_app.sql': migration('create schema app;', 'drop schema app;'),
    ...migrations,
  });
  const { server, prodUrl } = await production(cwd);
  const local = await createEmptyDatabase(import.meta.url);
  const env = { PROD_DATABASE_URL: prodUrl, DATABASE_URL: local };
  await withSql(prodUrl, (sql) => sql.unsafe('alter table t add column note text; grant select on u to public'));
  // From here on production's role may only read: any write rb attempted would fail.
  await withSql(server.adminUrl, (sql) => sql.unsafe('alter role deploy set default_transaction_read_only = on'));
  const databases = () => withSql(server.adminUrl, async (sql) => (await sql`select datname from pg_database order by 1`).map((r) => r.datname as string));
  const snapshot = () => withSql(prodUrl, async (sql) => {
    await sql`set search_path = pg_catalog`;
    return [...(await takeSnapshot(sql)).entries()];
  });
  const [databasesBefore, snapshotBefore] = [await databases(), await snapshot()];

  const run: RbRun = await runRb(['drift', '--prod'], { cwd, env });
  assert.is(run.code, 1, run.stderr);
  // The tables are app.t / app.u (production's search_path), owned by deploy there and by the
  // scratch database's role here: neither shows as drift.
  assert.equal(lines(run.stdout).slice(0, -1), [
    'column app.t.note exists in production but no migration creates it',
    'table app.u: acl is "{deploy=arwdDxt/deploy,=r/deploy}" in production, "{deploy=arwdDxt/deploy}" in the migrations',
  ]);
  const { port } = parseDatabaseUrl(prodUrl);
  assert.match(lines(run.stdout).at(-1)!, new RegExp(`^rb drift: PRODUCTION deploy@127\\.0\\.0\\.1:${port}/shop: 2 difference\\(s\\) from what its 3 applied migration\\(s\\) create ${secondsPattern}$`));
  assert.is(run.stderr, 'rb: drift: 2 difference(s) between production and what its applied migrations create; see the lines above\n');
  assert.not.match(run.stdout + run.stderr, 'deploy-secret');
  assert.equal(await databases(), databasesBefore, 'no scratch database on production\'s server');
  assert.equal(await snapshot(), snapshotBefore);

  // A DATABASE_URL on production's server would put the scratch database there: refused.
  const sameServer = await runRb(['drift', '--prod'], { cwd, env: { PROD_DATABASE_URL: prodUrl, DATABASE_URL: server.adminUrl } });
  assert.is(sameServer.code, 5);
  assert.is(
    sameServer.stderr,
    `rb: refusing to build the expected schema on production's server: DATABASE_URL (postgres@127.0.0.1:${port}/postgres), where rb drift --prod creates its scratch database, is on it; point DATABASE_URL at a local or CI server, or unset it to use the embedded server\n`,
  );
  assert.equal(await databases(), databasesBefore);
});

test.run();
