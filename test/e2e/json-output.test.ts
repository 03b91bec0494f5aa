/**
 * --json on status, current, upgrade and downgrade: exactly one JSON object on stdout, in the
 * shapes README.md documents; errors stay on stderr with their exit codes and stdout empty.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, dropDatabases } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { describeUrl, parseDatabaseUrl, withDatabase } from '../../src/target/database-url.ts';

const A = '20240101000001_a.sql';
const B = '20240101000002_b.sql';

function project(): string {
  return tempProject({
    [A]: migration('create table a (id int);', 'drop table a;'),
    [B]: migration('create table b (id int);', 'drop table b;'),
  });
}

/** Parses stdout as exactly one JSON value (JSON.parse fails on anything before or after it). */
function json(stdout: string): unknown {
  return JSON.parse(stdout);
}

test('rb status --json and rb current --json: the target (no password) and every migration with its state', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = project();
  const env = { DATABASE_URL: url };
  const target = { database: describeUrl(url), kind: 'url', source: 'DATABASE_URL', production: false };

  const none = await runRb(['current', '--json'], { cwd, env });
  assert.is(none.code, 0, none.stderr);
  assert.equal(json(none.stdout), { target, current: null });

  assert.is((await runRb(['upgrade', '--json'], { cwd, env })).code, 0);
  writeFileSync(path.join(cwd, 'db', 'migrations', B), migration('create table b (id int, x int);', 'drop table b;'));
  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000003_c.sql'), migration('select 1;', 'select 1;'));
  const status = await runRb(['status', '--json'], { cwd, env });
  assert.is(status.code, 0, status.stderr);
  assert.is(status.stderr, '');
  assert.equal(json(status.stdout), {
    target,
    migrations: [
      { version: '20240101000001', file: A, state: 'applied', edited: false, failed: false, running: false },
      { version: '20240101000002', file: B, state: 'applied', edited: true, failed: false, running: false },
      { version: '20240101000003', file: '20240101000003_c.sql', state: 'pending', edited: false, failed: false, running: false },
    ],
    applied: 2,
    pending: 1,
    current: '20240101000002',
  });
  const current = await runRb(['current', '--json'], { cwd, env });
  assert.equal(json(current.stdout), { target, current: '20240101000002' });
});

test('rb upgrade --json and rb downgrade --json: what was applied / rolled back, the schema file, the types; dry runs too', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = project();
  const env = { DATABASE_URL: url };
  const target = { database: describeUrl(url), kind: 'url', source: 'DATABASE_URL', production: false };

  const dry = await runRb(['upgrade', '--dry-run', '--json'], { cwd, env });
  assert.is(dry.code, 0, dry.stderr);
  assert.equal(json(dry.stdout), { target, dryRun: true, createdDatabase: false, applied: [A, B], outOfOrder: [], schemaFile: null, types: null });

  const up = await runRb(['upgrade', '--json'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  assert.equal(json(up.stdout), { target, dryRun: false, createdDatabase: false, applied: [A, B], outOfOrder: [], schemaFile: 'db/schema.sql', types: null });

  const again = await runRb(['upgrade', '--json'], { cwd, env });
  assert.equal(json(again.stdout), { target, dryRun: false, createdDatabase: false, applied: [], outOfOrder: [], schemaFile: null, types: null });

  const dryDown = await runRb(['downgrade', '2', '--dry-run', '--json'], { cwd, env });
  assert.is(dryDown.code, 0, dryDown.stderr);
  assert.equal(json(dryDown.stdout), { target, dryRun: true, rolledBack: [B, A], schemaFile: null });
  const down = await runRb(['downgrade', '--json'], { cwd, env });
  assert.is(down.code, 0, down.stderr);
  assert.equal(json(down.stdout), { target, dryRun: false, rolledBack: [B], schemaFile: 'db/schema.sql' });
});

test('rb upgrade --json with a pgtyped config reports the regenerated types; a database it created is reported', async () => {
  const base = await createEmptyDatabase(import.meta.url);
  const url = withDatabase(base, `${parseDatabaseUrl(base).database}_new`);
  const cwd = tempProject({ [A]: migration('create schema app;\ncreate table app.a (id int primary key, name text);', 'drop schema app cascade;') });
  writeFileSync(path.join(cwd, 'pgtyped.config.json'), JSON.stringify({ transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }], srcDir: './queries/' }));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'a.sql'), '/* @name NameOf */\nselect name from a where id = :id!;\n');
  writeFileSync(path.join(cwd, 'queries', 'b.sql'), '/* @name Second */\nselect id from a where id = $1;\n');
  const up = await runRb(['upgrade', '--json'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  assert.equal(json(up.stdout), {
    target: { database: describeUrl(url), kind: 'url', source: 'DATABASE_URL', production: false },
    dryRun: false,
    createdDatabase: true,
    applied: [A],
    outOfOrder: [],
    schemaFile: 'db/schema.sql',
    types: {
      written: ['queries/a.queries.ts', 'queries/b.queries.ts'],
      removed: [],
      unchanged: 0,
      warnings: ['queries/b.sql:2: query Second uses $1: pgtyped types only named parameters, so the generated query takes no value for it and fails when it runs; write :name (e.g. :id!) instead'],
    },
  });
  assert.match(up.stderr, 'warning: queries/b.sql:2: query Second uses $1');
  await dropDatabases([url, withDatabase(url, `${parseDatabaseUrl(url).database}_rb_shadow`)]);
});

test('with --json, errors still go to stderr with their exit codes and stdout stays empty', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ [A]: migration('create table a (id int);\nselect nope;', 'drop table a;') });
  const failed = await runRb(['upgrade', '--json'], { cwd, env: { DATABASE_URL: url } });
  assert.is(failed.code, 4);
  assert.is(failed.stdout, '');
  assert.match(failed.stderr, /^rb: db\/migrations\/20240101000001_a\.sql:3:8: column "nope" does not exist/);
  const refused = await runRb(['status', '--json'], { cwd, env: { DATABASE_URL: 'postgres://x:secret@127.0.0.1:1/none' } });
  assert.is(refused.code, 3);
  assert.is(refused.stdout, '');
  assert.is(refused.stderr, 'rb: cannot connect to postgres://x:****@127.0.0.1:1/none: connection refused (is the server running?); check the URL and that the server is reachable\n');
  const tooMany = await runRb(['downgrade', '3', '--json'], { cwd, env: { DATABASE_URL: url } });
  assert.is(tooMany.code, 2);
  assert.is(tooMany.stdout, '');
});

test.run();
