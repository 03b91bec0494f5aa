import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { parseDatabaseUrl } from '../../src/target/database-url.ts';

const appliedCount = (url: string) =>
  withSql(url, async (sql) => {
    const [row] = await sql`select to_regclass('schema_migrations') as reg`;
    if (!row.reg) return 0;
    return Number((await sql`select count(*) from schema_migrations`)[0].count);
  });

function project() {
  return tempProject({
    '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;'),
    '20240101000002_b.sql': migration('create table b (id int);', 'drop table b;'),
  });
}

/** The test server's URL with a password added, to prove it never appears in output. */
function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = 'hunter2';
  return parsed.toString();
}

test('--prod --yes migrates PROD_DATABASE_URL and leaves the local database alone', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const prod = withPassword(await createEmptyDatabase(import.meta.url));
  const cwd = project();
  const result = await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  assert.is(await appliedCount(prod), 2);
  assert.is(await appliedCount(local), 0);
  const { database, port } = parseDatabaseUrl(prod);
  assert.match(result.stdout, `PRODUCTION postgres@127.0.0.1:${port}/${database}: applied 2 migration(s)`);
  assert.not.match(result.stdout + result.stderr, 'hunter2');
  const { existsSync } = await import('node:fs');
  assert.not.ok(existsSync(`${cwd}/db/schema.sql`), 'schema.sql is written from the local database only');
});

test('--prod without a terminal and without --yes refuses after showing the target and the plan', async () => {
  const prod = withPassword(await createEmptyDatabase(import.meta.url));
  const cwd = project();
  const result = await runRb(['upgrade', '--prod'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(result.code, 5);
  const { database, port } = parseDatabaseUrl(prod);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines, [
    'PRODUCTION: apply migrations',
    '  host:     127.0.0.1',
    `  port:     ${port}`,
    `  database: ${database}`,
    '  user:     postgres',
    `  url:      postgres://postgres:****@127.0.0.1:${port}/${database}?sslmode=disable`,
    'This will:',
    '  - apply 20240101000001_a.sql',
    '  - apply 20240101000002_b.sql',
    `rb: refusing to touch production (postgres://postgres:****@127.0.0.1:${port}/${database}?sslmode=disable) without a terminal to confirm on; pass --yes to confirm non-interactively`,
  ]);
  assert.is(await appliedCount(prod), 0);
});

test('--prod downgrade is guarded too', async () => {
  const prod = await createEmptyDatabase(import.meta.url);
  const cwd = project();
  assert.is((await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } })).code, 0);
  const refused = await runRb(['downgrade', '--prod'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(refused.code, 5);
  assert.match(refused.stderr, '  - roll back 20240101000002_b.sql\n');
  assert.is(await appliedCount(prod), 2);
  const done = await runRb(['downgrade', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(done.code, 0, done.stderr);
  assert.is(await appliedCount(prod), 1);
});

test('--prod without PROD_DATABASE_URL names the variable', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const cwd = project();
  const result = await runRb(['upgrade', '--prod', '--yes'], { cwd, env: { DATABASE_URL: local } });
  assert.is(result.code, 2);
  assert.is(result.stderr, 'rb: --prod needs PROD_DATABASE_URL: set it in the environment or in .env (postgres://user@host:5432/database)\n');
  assert.is(await appliedCount(local), 0);
});

test('PROD_DATABASE_URL alone never makes a plain command touch production', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const prod = await createEmptyDatabase(import.meta.url);
  const cwd = project();
  const result = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  assert.is(await appliedCount(local), 2);
  assert.is(await appliedCount(prod), 0);
});

test.run();
