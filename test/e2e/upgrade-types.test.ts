/**
 * `rb upgrade` regenerates the query types in an app with a pgtyped config: one command after a
 * migration. Only when something changed (an up-to-date run touches neither pgtyped nor the
 * shadow database), never on production, not with --no-types.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, dropDatabases, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { describeUrl, parseDatabaseUrl, withDatabase } from '../../src/target/database-url.ts';

const USERS = migration('create schema app;\ncreate table app.users (id bigint primary key, email text not null);', 'drop schema app cascade;');
const QUERY = '/* @name UserById */\nselect id, email from users where id = :id!;\n';

function app(): string {
  const cwd = tempProject({ '20240101000001_users.sql': USERS });
  writeFileSync(path.join(cwd, 'pgtyped.config.json'), JSON.stringify({ transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }], srcDir: './queries/' }));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'users.sql'), QUERY);
  return cwd;
}

const shadowOf = (url: string) => withDatabase(url, `${parseDatabaseUrl(url).database}_rb_shadow`);
const shadowExists = (url: string) =>
  withSql(url, async (sql) => (await sql`select count(*)::int as n from pg_database where datname = ${parseDatabaseUrl(shadowOf(url)).database}`)[0].n === 1);

test('rb upgrade writes the types after migrating; with nothing changed it touches neither pgtyped nor the shadow database; a stale query file is regenerated', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = app();
  const env = { DATABASE_URL: url };
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  assert.is(up.stdout, [
    'Applied: 20240101000001_users.sql',
    `${describeUrl(url)} (from DATABASE_URL): applied 1 migration(s)`,
    'Wrote db/schema.sql',
    `Rebuilt the shadow database ${parseDatabaseUrl(url).database}_rb_shadow from the migrations`,
    'Wrote queries/users.queries.ts',
    '1 query file(s): 1 written, 0 unchanged',
    '',
  ].join('\n'));
  assert.match(readFileSync(path.join(cwd, 'queries', 'users.queries.ts'), 'utf8'), 'export const userById = ');

  // Up to date: the shadow database is not even looked at (dropped here, it stays gone).
  await dropDatabases([shadowOf(url)]);
  const idle = await runRb(['upgrade'], { cwd, env });
  assert.is(idle.code, 0, idle.stderr);
  assert.is(idle.stdout, `${describeUrl(url)} (from DATABASE_URL): up to date, nothing to apply\n`);
  assert.is(idle.stderr, '');
  assert.not.ok(await shadowExists(url));

  // Nothing pending but a query file changed: the types are stale, rb upgrade regenerates them.
  writeFileSync(path.join(cwd, 'queries', 'users.sql'), `${QUERY}\n/* @name AllEmails */\nselect email from users;\n`);
  const stale = await runRb(['upgrade'], { cwd, env });
  assert.is(stale.code, 0, stale.stderr);
  assert.match(stale.stdout, 'up to date, nothing to apply\n');
  assert.match(stale.stdout, 'Wrote queries/users.queries.ts\n1 query file(s): 1 written, 0 unchanged\n');
  assert.match(readFileSync(path.join(cwd, 'queries', 'users.queries.ts'), 'utf8'), 'export const allEmails = ');
  await dropDatabases([shadowOf(url)]);
});

test('--no-types and --dry-run leave the types alone; an invalid query fails the command after the migrations were applied', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = app();
  const env = { DATABASE_URL: url };
  const skipped = await runRb(['upgrade', '--no-types'], { cwd, env });
  assert.is(skipped.code, 0, skipped.stderr);
  assert.not.match(skipped.stdout, 'queries');
  const dry = await runRb(['upgrade', '--dry-run'], { cwd, env });
  assert.is(dry.stdout, `${describeUrl(url)} (from DATABASE_URL): up to date, nothing to apply\n`);
  const check = await runRb(['types', '--check'], { cwd, env });
  assert.is(check.code, 1);
  assert.match(check.stderr, 'queries/users.queries.ts is missing');

  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000002_name.sql'), migration('alter table app.users add column name text;', 'alter table app.users drop column name;'));
  writeFileSync(path.join(cwd, 'queries', 'users.sql'), '/* @name Broken */\nselect nickname from users;\n');
  const failed = await runRb(['upgrade'], { cwd, env });
  assert.is(failed.code, 1);
  assert.match(failed.stdout, 'Applied: 20240101000002_name.sql\n');
  assert.is(failed.stderr, [
    'queries/users.sql:2: query Broken: column "nickname" does not exist',
    'rb: 1 invalid query in 1 file(s); nothing was written; fix them and run rb types again',
    '',
  ].join('\n'));
  const [row] = await withSql(url, (sql) => sql`select count(*)::int as n from schema_migrations`);
  assert.is(row.n, 2);
  await dropDatabases([shadowOf(url)]);
});

test('never on production: --prod --yes, or a DATABASE_URL that is production\'s, leaves the types alone', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const prod = await createEmptyDatabase(import.meta.url);
  const cwd = app();
  const up = await runRb(['upgrade', '--prod', '--yes', '--json'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(up.code, 0, up.stderr);
  const result = JSON.parse(up.stdout) as { applied: string[]; types: unknown; schemaFile: unknown };
  assert.equal([result.applied, result.types, result.schemaFile], [['20240101000001_users.sql'], null, null]);
  assert.not.ok(await shadowExists(prod));
  // Through DATABASE_URL with nothing pending and stale types: rb asks who the server is, finds production, skips.
  const through = await runRb(['upgrade', '--json'], { cwd, env: { DATABASE_URL: prod, PROD_DATABASE_URL: prod } });
  assert.is(through.code, 0, through.stderr);
  const second = JSON.parse(through.stdout) as { types: unknown; target: { production: boolean } };
  assert.equal([second.types, second.target.production], [null, true]);
  assert.not.ok(await shadowExists(prod));
  assert.not.ok(await shadowExists(local));
});

test.run();
