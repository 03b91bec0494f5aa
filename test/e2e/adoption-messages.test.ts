/**
 * The small things a new user of rb runs into: `rb db --help` lists its actions; a refused
 * connection to the stopped embedded server says to run `rb db start`; `--prod --yes` still prints
 * the target and the plan (a second database plays production).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';
import { parseDatabaseUrl } from '../../src/target/database-url.ts';

test('rb db --help lists the actions', async () => {
  const help = await runRb(['db', '--help'], { cwd: tempProject() });
  assert.is(help.code, 0, help.stderr);
  assert.match(help.stdout, [
    'Usage:',
    '  $ rb db <action>',
    '',
    'Actions:',
    '  start   Start the local PostgreSQL (initdb on first use) and make sure its database exists; prints its URL, masked',
    '  stop    Stop it (the data stays under .rb/postgres)',
    '  status  Say whether it runs, on which port, and where its data is',
    '  url     Print the running server\'s URL with its password (psql "$(rb db url)")',
    '',
  ].join('\n'));
  const upgrade = await runRb(['upgrade', '--help'], { cwd: tempProject() });
  assert.match(upgrade.stdout, /\n {2}--no-types +Do not regenerate the query types afterwards \(done on non-production databases when pgtyped\.config\.json exists\)\n/);
  assert.not.match(upgrade.stdout, '(default: true)');
});

test('after rb db stop, a command whose DATABASE_URL is the local server says to run rb db start; other refusals keep the generic line', async () => {
  const cwd = tempProject({ '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;') });
  const data = tempDir('refused-');
  chmodSync(data, 0o755);
  const env = { RB_LOCAL_PORT: String(await freePort()), RB_LOCAL_DATA_DIR: path.join(data, 'pg') };
  try {
    const start = await runRb(['db', 'start'], { cwd, env });
    assert.is(start.code, 0, start.stderr);
    assert.match(start.stdout, `local PostgreSQL running on port ${env.RB_LOCAL_PORT} (data: ${path.join(data, 'pg', 'data')})\n`);
    const url = (await runRb(['db', 'url'], { cwd, env })).stdout.trim();
    assert.is((await runRb(['db', 'stop'], { cwd, env })).stdout, 'local PostgreSQL stopped\n');
    for (const command of [['status'], ['upgrade'], ['current', '--json']]) {
      const refused = await runRb(command, { cwd: path.join(cwd, 'db'), env: { ...env, DATABASE_URL: url } });
      assert.is(refused.code, 3, refused.stderr);
      assert.is(refused.stderr, `rb: cannot connect to postgres://postgres:****@127.0.0.1:${env.RB_LOCAL_PORT}/development?sslmode=disable: connection refused; rb's local PostgreSQL (port ${env.RB_LOCAL_PORT}) is not running: start it with rb db start\n`);
    }
    const other = await runRb(['status'], { cwd, env: { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/development' } });
    assert.is(other.stderr, 'rb: cannot connect to postgres://postgres@127.0.0.1:1/development: connection refused (is the server running?); check the URL and that the server is reachable\n');
  } finally {
    await runRb(['db', 'stop'], { cwd, env });
  }
});

/** The guard's summary for PROD_DATABASE_URL = url, as printed before "Confirmed by --yes.". */
function summary(url: string, action: string, plan: string[], reached?: string): string[] {
  const { database, port } = parseDatabaseUrl(url);
  return [
    `PRODUCTION: ${action}`,
    ...(reached ? [reached] : []),
    '  host:     127.0.0.1',
    `  port:     ${port}`,
    `  database: ${database}`,
    '  user:     postgres',
    `  url:      postgres://postgres:****@127.0.0.1:${port}/${database}?sslmode=disable`,
    'This will:',
    ...plan.map((line) => `  - ${line}`),
    'Confirmed by --yes.',
  ];
}

test('--prod --yes prints the target and the plan (upgrade, downgrade, run-script) before it goes ahead', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const prod = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;'),
    '20240101000002_b.sql': migration('create table b (id int);', 'drop table b;'),
  });
  const env = { DATABASE_URL: local, PROD_DATABASE_URL: prod };

  const up = await runRb(['upgrade', '--prod', '--yes'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  assert.is(up.stderr, `${summary(prod, 'apply migrations', ['apply 20240101000001_a.sql', 'apply 20240101000002_b.sql']).join('\n')}\n`);
  assert.match(up.stdout, 'applied 2 migration(s)');

  const down = await runRb(['downgrade', '--prod', '--yes', '--json'], { cwd, env });
  assert.is(down.code, 0, down.stderr);
  assert.is(down.stderr, `${summary(prod, 'roll back 1 migration(s)', ['roll back 20240101000002_b.sql']).join('\n')}\n`);
  assert.equal((JSON.parse(down.stdout) as { rolledBack: string[] }).rolledBack, ['20240101000002_b.sql']);

  mkdirSync(path.join(cwd, 'backfill'));
  writeFileSync(path.join(cwd, 'backfill', 'fill.ts'), 'export default async ({ sql }: { sql: any }) => { await sql`insert into a values (1)`; };\n');
  const script = await runRb(['run-script', 'backfill/fill.ts', '--prod', '--yes'], { cwd, env });
  assert.is(script.code, 0, script.stderr);
  assert.match(script.stderr, `${summary(prod, 'run-script backfill/fill.ts', ['run backfill/fill.ts in one transaction and commit it if the script succeeds']).join('\n')}\n`);

  // Production reached through DATABASE_URL: the summary says how, and still prints with --yes.
  const through = await runRb(['upgrade', '--yes'], { cwd, env: { DATABASE_URL: prod, PROD_DATABASE_URL: prod } });
  assert.is(through.code, 0, through.stderr);
  const lines = through.stderr.trim().split('\n');
  assert.is(lines[0], 'PRODUCTION: apply migrations');
  assert.match(lines[1], /^ {2}reached: {2}through DATABASE_URL: the same server and database as PROD_DATABASE_URL/);
  assert.equal(lines.slice(-3), ['This will:', '  - apply 20240101000002_b.sql', 'Confirmed by --yes.']);
  // Nothing to do: nothing to confirm, nothing printed.
  const idle = await runRb(['upgrade', '--prod', '--yes'], { cwd, env });
  assert.is(idle.stderr, '');
});

test.run();
