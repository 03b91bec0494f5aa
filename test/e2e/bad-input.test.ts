import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { migration, runRb, tempProject } from '../support/project.ts';

/** Tables in public, without rb's own bookkeeping tables (rb_*). */
const userTables = (url: string) =>
  withSql(url, async (sql) =>
    (await sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'rb\\_%' order by 1`).map(
      (r) => r.table_name as string,
    ),
  );

test('a migration without -- migrate:down is refused before anything runs', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    '20240101000001_ok.sql': migration('create table ok (id int);', 'drop table ok;'),
    '20240101000002_no_down.sql': '-- migrate:up\ncreate table no_down (id int);\n',
  });
  const result = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(result.code, 2);
  assert.is(
    result.stderr,
    `rb: db/migrations/20240101000002_no_down.sql:3: no '-- migrate:down' section; add a line '-- migrate:down' after the up SQL, followed by SQL that undoes it\n`,
  );
  assert.equal(await userTables(url), [], 'not even the valid first migration ran');
});

test('an SQL error in the third of five pending migrations: two stay applied, the rest do not, file and line named', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;'),
    '20240101000002_b.sql': migration('create table b (id int);', 'drop table b;'),
    '20240101000003_c.sql': '-- a comment above the marker\n-- migrate:up\ncreate table c (id int);\ninsert into c values (1);\ncreate tabel oops (id int);\n\n-- migrate:down\ndrop table c;\n',
    '20240101000004_d.sql': migration('create table d (id int);', 'drop table d;'),
    '20240101000005_e.sql': migration('create table e (id int);', 'drop table e;'),
  });
  const result = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(result.code, 4);
  assert.is(
    result.stderr,
    'rb: db/migrations/20240101000003_c.sql:5:8: syntax error at or near "tabel" (SQLSTATE 42601); 20240101000003_c.sql was rolled back, 2 earlier migration(s) stay applied, 2 later one(s) not run; fix it and run rb upgrade again\n',
  );
  assert.equal(await userTables(url), ['a', 'b', 'schema_migrations']);
  const versions = await withSql(url, (sql) => sql`select version from schema_migrations order by 1`);
  assert.equal(versions.map((r) => r.version), ['20240101000001', '20240101000002']);
});

test('downgrade with nothing applied is refused and changes nothing', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;') });
  const result = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(result.code, 2);
  assert.is(result.stderr, 'rb: nothing to roll back: no migration is applied to this database\n');
  assert.equal(await userTables(url), []);
});

test('downgrade of more steps than applied is refused up front', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;') });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  const result = await runRb(['downgrade', '3'], { cwd, env: { DATABASE_URL: url } });
  assert.is(result.code, 2);
  assert.is(result.stderr, 'rb: cannot roll back 3 migrations: only 1 applied; run rb downgrade 1 to roll back all of them\n');
  assert.equal(await userTables(url), ['a', 'schema_migrations']);
});

test('a failing down stops the downgrade at the last good version', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;'),
    '20240101000002_b.sql': migration('create table b (id int);', 'drop table no_such_table;'),
    '20240101000003_c.sql': migration('create table c (id int);', 'drop table c;'),
  });
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  const result = await runRb(['downgrade', '3'], { cwd, env: { DATABASE_URL: url } });
  assert.is(result.code, 4);
  assert.is(result.stdout, '');
  assert.is(
    result.stderr,
    'rb: db/migrations/20240101000002_b.sql:5: table "no_such_table" does not exist (SQLSTATE 42P01); rolling back 20240101000002_b.sql failed and changed nothing (rolled back before it: 20240101000003_c.sql); fix its down section and run rb downgrade again\n',
  );
  assert.equal(await userTables(url), ['a', 'b', 'schema_migrations']);
});

test('an unreachable database gives one line with the masked URL, no stack trace', async () => {
  const port = await freePort();
  const cwd = tempProject({ '20240101000001_a.sql': migration('create table a (id int);', 'drop table a;') });
  const url = `postgres://app:s3cret@127.0.0.1:${port}/app`;
  const result = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(result.code, 3);
  assert.is(
    result.stderr,
    `rb: cannot connect to postgres://app:****@127.0.0.1:${port}/app: connection refused (is the server running?); check the URL and that the server is reachable\n`,
  );
  assert.not.match(result.stderr, 's3cret');
});

test('URL parameters rb\'s client cannot use are one line (exit 2), not an internal error', async () => {
  const cwd = tempProject();
  const libpq = await runRb(['status'], { cwd, env: { DATABASE_URL: 'postgres://app:secret@127.0.0.1:1/shop?sslmode=require&sslrootcert=/etc/ca.pem' } });
  assert.is(libpq.code, 2);
  assert.is(
    libpq.stderr,
    'rb: DATABASE_URL (postgres://app:****@127.0.0.1:1/shop?sslmode=require&sslrootcert=/etc/ca.pem) has the parameter sslrootcert, which rb\'s client (postgres.js) does not read; ' +
      'remove it from the URL (rb reads sslmode, application_name, connect_timeout and server settings such as search_path)\n',
  );
  const url = `${await createEmptyDatabase(import.meta.url)}&foo=bar`;
  const unknown = await runRb(['status'], { cwd, env: { DATABASE_URL: url } });
  assert.is(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /^rb: postgres:\/\/\S+&foo=bar: the server has no setting "foo", which rb's client sends it as one \(postgres\.js passes unknown URL parameters to the server\); remove foo from the URL\n$/);
  assert.not.match(unknown.stderr, 'internal error');
});

test('an unknown command or flag is a usage error (exit 2) with a hint', async () => {
  const cwd = tempProject();
  const usage = async (args: string[]) => {
    const run = await runRb(args, { cwd });
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.is(run.stdout, '', args.join(' '));
    return run.stderr;
  };
  assert.is(await usage(['upgarde']), 'rb: unknown command "upgarde" (did you mean "rb upgrade"?); run rb --help to see the commands\n');
  assert.is(await usage(['frobnicate']), 'rb: unknown command "frobnicate"; run rb --help to see the commands\n');
  assert.is(await usage(['status', '--porcelain']), 'rb: unknown option "--porcelain" for rb status; run rb status --help to see its options\n');
  assert.is(await usage(['upgrade', '--dryrun']), 'rb: unknown option "--dryrun" for rb upgrade (did you mean "--dry-run"?); run rb upgrade --help to see its options\n');
  assert.is(await usage(['status', '--dry-runs']), 'rb: unknown option "--dry-runs" for rb status; run rb status --help to see its options\n');
  assert.is(await usage(['--foo']), 'rb: unknown option "--foo"; run rb --help to see the commands and options\n');
  assert.is(await usage(['current', 'now']), 'rb: unexpected argument "now" for rb current; run rb current --help to see what it takes\n');
  assert.is(await usage(['import', 'flyway']), 'rb: rb import <tool> <dir> needs its arguments; run rb import --help\n');
  assert.is(await usage(['downgrade', 'two']), 'rb: downgrade steps must be a number of migrations, 1 or more, such as 1, 2 or -1 (got "two")\n');
  assert.is(await usage(['downgrade', '0']), 'rb: downgrade steps must be a number of migrations, 1 or more, such as 1, 2 or -1 (got "0")\n');
  // Options that would not take effect are refused, not ignored.
  assert.is(await usage(['new-migration', 'x', '--prod']), 'rb: rb new-migration writes a file and touches no database, so --prod does not apply; drop it\n');
  assert.is(
    await usage(['db', 'start', '--database-url', 'postgres://a@localhost:1/c']),
    "rb: rb db manages this project's embedded PostgreSQL only, so --database-url does not apply; drop it\n",
  );
  assert.equal(readdirSync(path.join(cwd, 'db', 'migrations')), []);
});

test('rb help [command], rb version, and dbmate\'s names for upgrade and downgrade (migrate, rollback)', async () => {
  const cwd = tempProject();
  const help = await runRb(['help'], { cwd });
  assert.is(help.code, 0, help.stderr);
  assert.is(help.stdout, (await runRb(['--help'], { cwd })).stdout);
  const upgradeHelp = await runRb(['help', 'upgrade'], { cwd });
  assert.is(upgradeHelp.code, 0, upgradeHelp.stderr);
  assert.is(upgradeHelp.stdout, (await runRb(['upgrade', '--help'], { cwd })).stdout);
  assert.match(upgradeHelp.stdout, '$ rb upgrade');
  for (const args of [['help', 'drft'], ['drft', '--help']]) {
    const unknown = await runRb(args, { cwd });
    assert.is(unknown.code, 2, args.join(' '));
    assert.is(unknown.stdout, '', args.join(' '));
    assert.is(unknown.stderr, 'rb: unknown command "drft" (did you mean "rb drift"?); run rb --help to see the commands\n');
  }
  const version = await runRb(['version'], { cwd });
  assert.is(version.code, 0);
  assert.is(version.stdout, (await runRb(['--version'], { cwd })).stdout);
  assert.match(version.stdout, /^rb\/\d+\.\d+\.\d+ /);

  const url = await createEmptyDatabase(import.meta.url);
  const project = tempProject({ '20240101000001_t.sql': migration('create table t (id int);', 'drop table t;') });
  const migrate = await runRb(['migrate'], { cwd: project, env: { DATABASE_URL: url } });
  assert.is(migrate.code, 0, migrate.stderr);
  assert.equal(await userTables(url), ['schema_migrations', 't']);
  const rollback = await runRb(['rollback', '-1'], { cwd: project, env: { DATABASE_URL: url } });
  assert.is(rollback.code, 0, rollback.stderr);
  assert.equal(await userTables(url), ['schema_migrations']);
});

test('a typo in a migration is one lint line (squawk reports every token after it) beside the round trip\'s error', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({ '20240101000001_t.sql': migration('create tabel t (\n  id int primary key,\n  name text\n);', 'drop table t;') });
  const check = await runRb(['check', '--skip', 'generated', '--json'], { cwd, env: { DATABASE_URL: url } });
  assert.is(check.code, 1, check.stderr);
  const findings = (JSON.parse(check.stdout) as { findings: { stage: string; rule: string; line: number }[] }).findings;
  assert.equal(findings.filter((f) => f.stage === 'lint').map((f) => `${f.rule}:${f.line}`), ['syntax-error:2']);
  assert.equal(findings.filter((f) => f.stage === 'round-trip').map((f) => f.line), [2]);
});

test.run();
