import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { testServer } from '../support/server.ts';

/**
 * dbmate's tracking table is public.schema_migrations whatever the search_path: the database's,
 * the role's, or one a migration sets itself (dbmate follows search_path for an unqualified name).
 */
const T1 = '20240101000001_t1.sql';
const T2 = '20240101000002_t2.sql';
const T3 = '20240101000003_t3.sql';
const files = {
  [T1]: migration('create table public.t1 (id int);', 'drop table public.t1;'),
  [T2]: migration('create table public.t2 (id int);', 'drop table public.t2;'),
  [T3]: migration('create table public.t3 (id int);', 'drop table public.t3;'),
};

/** Where tables named schema_migrations are, and the versions in public's. */
async function tracking(url: string): Promise<{ tables: string[]; versions: string[] }> {
  return withSql(url, async (sql) => ({
    tables: (await sql`select table_schema || '.' || table_name as t from information_schema.tables where table_name = 'schema_migrations' order by 1`).map(
      (r) => r.t as string,
    ),
    versions: (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string),
  }));
}

/** upgrade, status, downgrade, upgrade, a rerun that applies nothing: the tracking table never moves. */
async function roundOfCommands(cwd: string, url: string): Promise<void> {
  const env = { DATABASE_URL: url };
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, 'applied 3 migration(s)');
  assert.equal(await tracking(url), { tables: ['public.schema_migrations'], versions: ['20240101000001', '20240101000002', '20240101000003'] });

  const status = await runRb(['status'], { cwd, env });
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, '3 applied, 0 pending; current version: 20240101000003');

  const down = await runRb(['downgrade', '2'], { cwd, env });
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, `Rolled back: ${T3}\nRolled back: ${T2}\n`);
  assert.equal(await tracking(url), { tables: ['public.schema_migrations'], versions: ['20240101000001'] });

  const again = await runRb(['upgrade'], { cwd, env });
  assert.is(again.code, 0, again.stderr);
  const rerun = await runRb(['upgrade'], { cwd, env });
  assert.is(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, 'up to date, nothing to apply');
  assert.equal(await tracking(url), { tables: ['public.schema_migrations'], versions: ['20240101000001', '20240101000002', '20240101000003'] });

  const schema = readFileSync(path.join(cwd, 'db', 'schema.sql'), 'utf8');
  assert.match(schema, 'CREATE TABLE public.schema_migrations (');
  assert.match(schema, "INSERT INTO public.schema_migrations (version) VALUES\n    ('20240101000001'),\n    ('20240101000002'),\n    ('20240101000003');\n");
  assert.not.match(schema, 's1.schema_migrations');
}

test("a database-level search_path does not move the tracking table", async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const name = new URL(url).pathname.slice(1);
  await withSql(url, (sql) => sql.unsafe(`create schema s1; alter database "${name}" set search_path = s1`));
  await roundOfCommands(tempProject(files), url);
});

test("a role-level search_path (ALTER ROLE ... SET search_path) does not move the tracking table; rb check agrees with db/schema.sql", async () => {
  const admin = (await testServer()).adminUrl;
  const role = `rbt_search_path_${process.pid}`;
  const url = await createEmptyDatabase(import.meta.url);
  const name = new URL(url).pathname.slice(1);
  // The role logs in with the password the test server's URL carries (the server asks for one).
  const password = decodeURIComponent(new URL(url).password);
  await withSql(admin, (sql) => sql.unsafe(`create role ${role} login createdb${password ? ` password '${password.replace(/'/g, "''")}'` : ''}; alter role ${role} set search_path = s1; alter database "${name}" owner to ${role}`));
  try {
    const asRole = new URL(url);
    asRole.username = role;
    await withSql(asRole.toString(), (sql) => sql.unsafe('create schema s1'));
    // s1 exists before the first migration (so dbmate's unqualified table would land there); the
    // history creates it too, so a database built by the migrations alone (rb check) has it.
    const cwd = tempProject({ ...files, [T1]: migration('create schema if not exists s1;\ncreate table public.t1 (id int);', 'drop table public.t1;\ndrop schema s1;') });
    await roundOfCommands(cwd, asRole.toString());
    const check = await runRb(['check', '--skip', 'lint'], { cwd, env: { DATABASE_URL: asRole.toString() } });
    assert.is(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, 'generated ok');
  } finally {
    await withSql(admin, async (sql) => {
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.unsafe(`drop owned by ${role}`);
      await sql.unsafe(`drop role ${role}`);
    });
  }
});

test("a migration's own SET search_path (to a schema without a tracking table) does not move it", async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    ...files,
    // Used to fail with: relation "s2.schema_migrations" does not exist.
    [T2]: migration('create schema s2;\nset search_path to s2;\ncreate table public.t2 (id int);', 'set search_path to s2;\ndrop table public.t2;\ndrop schema s2;'),
  });
  await roundOfCommands(cwd, url);
});

test.run();
