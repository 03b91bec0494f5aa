/**
 * Where rb finds the project and its folders: the root walked up from the working directory
 * (messages relative to it), folders configured in package.json "rb" or dbmate's variables, the
 * queries folder from pgtyped's srcDir (also for --watch), and rb types' warnings about srcDir and
 * $1 placeholders. Every run goes through the real rb in a temporary app.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, startRb, tempProject } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';

const CREATE_APP = migration('create schema app;\ncreate table app.users (id bigint primary key, email text not null);', 'drop table app.users;\ndrop schema app;');

function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function pgtypedConfig(srcDir: string): object {
  return { transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }], srcDir };
}

test('from a subdirectory: new-migration, upgrade, status and run-script work on the project root; messages name files relative to it', async () => {
  const app = tempProject({ '20240101000001_users.sql': CREATE_APP });
  const sub = path.join(app, 'src', 'deep', 'er');
  mkdirSync(sub, { recursive: true });
  const env = { DATABASE_URL: await createEmptyDatabase(import.meta.url) };

  const created = await runRb(['new-migration', 'add', 'name'], { cwd: sub, env });
  assert.is(created.code, 0, created.stderr);
  assert.match(created.stdout, /^Created db\/migrations\/\d{14}_add_name\.sql\n$/);
  assert.not.ok(existsSync(path.join(sub, 'db')));
  const file = created.stdout.trim().slice('Created '.length);
  writeFileSync(path.join(app, file), migration('alter table app.users add column name text;\nselect nope;', 'alter table app.users drop column name;'));

  const failed = await runRb(['upgrade'], { cwd: sub, env });
  assert.is(failed.code, 4);
  assert.match(failed.stderr, new RegExp(`^rb: ${file.replace(/\./g, '\\.')}:3:8: column "nope" does not exist`));
  writeFileSync(path.join(app, file), migration('alter table app.users add column name text;', 'alter table app.users drop column name;'));
  const up = await runRb(['upgrade'], { cwd: sub, env });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, `Applied: ${path.basename(file)}\n`);
  assert.match(up.stdout, 'Wrote db/schema.sql\n');
  assert.ok(existsSync(path.join(app, 'db', 'schema.sql')));

  const status = await runRb(['status'], { cwd: path.join(app, 'src'), env });
  assert.match(status.stdout, /\n2 applied, 0 pending; current version: \d{14}\n$/);

  mkdirSync(path.join(app, 'backfill'));
  writeFileSync(path.join(app, 'backfill', 'fill.ts'), "export default async ({ sql }: { sql: any }) => { await sql`insert into app.users values (1, 'a@b')`; };\n");
  for (const [cwd, arg] of [[sub, '../../../backfill/fill.ts'], [sub, 'backfill/fill.ts'], [sub, 'fill.ts']] as const) {
    const run = await runRb(['run-script', arg, '--dry-run'], { cwd, env });
    assert.is(run.code, 0, `${arg}: ${run.stderr}`);
    assert.match(run.stdout, /^Dry run of backfill\/fill\.ts on .*: rolled back, nothing was changed/);
  }
  const missing = await runRb(['run-script', 'nope.ts'], { cwd: sub, env });
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /^rb: .*nope\.ts/);
});

test('the root is the nearest package.json of an rb project: a workspace package below it, or a folder without package.json, use the root; a package with its own db/migrations is its own', async () => {
  const root = tempDir('monorepo-');
  writeJson(path.join(root, 'package.json'), { name: 'mono', private: true, workspaces: ['packages/*'], devDependencies: { '@rbsql/cli': '0.2.0' } });
  mkdirSync(path.join(root, 'db', 'migrations'), { recursive: true });
  writeFileSync(path.join(root, 'db', 'migrations', '20240101000001_users.sql'), CREATE_APP);
  writeJson(path.join(root, 'packages', 'web', 'package.json'), { name: 'web', private: true });
  const env = { DATABASE_URL: await createEmptyDatabase(import.meta.url) };
  for (const cwd of [path.join(root, 'packages', 'web'), path.join(root, 'db', 'migrations')]) {
    const status = await runRb(['status'], { cwd, env });
    assert.is(status.code, 0, status.stderr);
    assert.match(status.stdout, /\npending +20240101000001_users\.sql\n0 applied, 1 pending/);
  }
  const created = await runRb(['new-migration', 'x'], { cwd: path.join(root, 'packages', 'web') });
  assert.match(created.stdout, /^Created db\/migrations\/\d{14}_x\.sql\n$/);
  assert.not.ok(existsSync(path.join(root, 'packages', 'web', 'db')));
  // A workspace package with migrations of its own is its own project (tools hoisted to the root or not).
  writeJson(path.join(root, 'packages', 'api', 'package.json'), { name: 'api', private: true });
  mkdirSync(path.join(root, 'packages', 'api', 'db', 'migrations'), { recursive: true });
  mkdirSync(path.join(root, 'packages', 'api', 'src'));
  const own = await runRb(['new-migration', 'y'], { cwd: path.join(root, 'packages', 'api', 'src') });
  assert.match(own.stdout, /^Created db\/migrations\/\d{14}_y\.sql\n$/);
  assert.equal(readdirSync(path.join(root, 'packages', 'api', 'db', 'migrations')).length, 1);
});

test('custom folders in package.json "rb": migrations, schema file, backfill folder and pgtyped srcDir are used by every command', async () => {
  const app = tempDir('custom-');
  writeJson(path.join(app, 'package.json'), {
    name: 'custom', private: true,
    rb: { migrationsDir: 'database/migrations', schemaFile: 'database/structure.sql', backfillDir: 'scripts/backfills' },
  });
  mkdirSync(path.join(app, 'database', 'migrations'), { recursive: true });
  writeFileSync(path.join(app, 'database', 'migrations', '20240101000001_users.sql'), CREATE_APP);
  writeJson(path.join(app, 'pgtyped.config.json'), pgtypedConfig('./src/db/queries/'));
  mkdirSync(path.join(app, 'src', 'db', 'queries'), { recursive: true });
  writeFileSync(path.join(app, 'src', 'db', 'queries', 'users.sql'), '/* @name UserById */\nselect id, email from users where id = :id!;\n');
  mkdirSync(path.join(app, 'scripts', 'backfills'), { recursive: true });
  writeFileSync(path.join(app, 'scripts', 'backfills', 'fill.ts'), 'export default async () => ({ done: 1 });\n');
  const url = await createEmptyDatabase(import.meta.url);
  const env = { DATABASE_URL: url };

  const up = await runRb(['upgrade'], { cwd: path.join(app, 'src'), env });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, 'Applied: 20240101000001_users.sql\n');
  assert.match(up.stdout, 'Wrote database/structure.sql\n');
  assert.match(up.stdout, 'Wrote src/db/queries/users.queries.ts\n');
  assert.match(readFileSync(path.join(app, 'database', 'structure.sql'), 'utf8'), 'CREATE TABLE app.users');
  assert.not.ok(existsSync(path.join(app, 'db')));

  const check = await runRb(['types', '--check'], { cwd: app, env });
  assert.is(check.code, 0, check.stderr);
  assert.is(check.stdout, '1 query file(s): generated types are up to date\n');

  const created = await runRb(['new-migration', 'more'], { cwd: app });
  assert.match(created.stdout, /^Created database\/migrations\/\d{14}_more\.sql\n$/);
  const script = await runRb(['run-script', 'fill.ts'], { cwd: app, env });
  assert.is(script.code, 0, script.stderr);
  assert.match(script.stdout, /^scripts\/backfills\/fill\.ts: committed on /);
});

test('dbmate\'s DBMATE_MIGRATIONS_DIR and DBMATE_SCHEMA_FILE are honoured (environment or .env); disagreeing with package.json is an error naming both', async () => {
  const app = tempProject();
  mkdirSync(path.join(app, 'sql', 'migrations'), { recursive: true });
  writeFileSync(path.join(app, 'sql', 'migrations', '20240101000001_users.sql'), CREATE_APP);
  const url = await createEmptyDatabase(import.meta.url);
  writeFileSync(path.join(app, '.env'), `DATABASE_URL=${url}\nDBMATE_MIGRATIONS_DIR=./sql/migrations\n`);
  const up = await runRb(['upgrade'], { cwd: app, env: { DBMATE_SCHEMA_FILE: 'sql/schema.sql' } });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, 'Applied: 20240101000001_users.sql\n');
  assert.match(up.stdout, 'Wrote sql/schema.sql\n');
  assert.ok(existsSync(path.join(app, 'sql', 'schema.sql')));

  writeJson(path.join(app, 'package.json'), { name: 'x', rb: { migrationsDir: 'db/migrations' } });
  const clash = await runRb(['status'], { cwd: app });
  assert.is(clash.code, 2);
  assert.is(clash.stderr, 'rb: DBMATE_MIGRATIONS_DIR=./sql/migrations disagrees with "rb.migrationsDir": "db/migrations" in package.json; rb uses package.json: remove DBMATE_MIGRATIONS_DIR (from the environment or .env) or make them the same\n');
  writeJson(path.join(app, 'package.json'), { name: 'x', rb: { migrationsDir: 'sql/migrations/', migrationDir: 'x', schemaFile: '' } });
  const bad = await runRb(['status'], { cwd: app });
  assert.is(bad.code, 2);
  assert.is(bad.stderr, 'rb: package.json: unknown key "rb.migrationDir" (known: schemas, migrationsDir, schemaFile, backfillDir, localPort, localDatabase, check); "rb.schemaFile" must be a path relative to the project root, such as "db/schema.sql"\n');
});

test('rb types warns when srcDir is missing or holds no queries, and names queries with $1 placeholders pgtyped cannot type', async () => {
  const app = tempProject({ '20240101000001_users.sql': CREATE_APP });
  writeJson(path.join(app, 'pgtyped.config.json'), pgtypedConfig('./src/queries/'));
  const env = { DATABASE_URL: await createEmptyDatabase(import.meta.url) };

  const missing = await runRb(['types'], { cwd: app, env });
  assert.is(missing.code, 0, missing.stderr);
  assert.is(missing.stderr, 'warning: pgtyped.config.json: srcDir src/queries does not exist, so there are no queries to type; create it and put annotated queries (*.sql) there, or point srcDir at your queries\n');
  assert.is(missing.stdout, '0 query file(s): 0 written, 0 unchanged (nothing changed since the last run)\n');

  mkdirSync(path.join(app, 'src', 'queries'), { recursive: true });
  writeFileSync(path.join(app, 'src', 'queries', 'notes.txt'), 'not a query\n');
  const empty = await runRb(['types'], { cwd: app, env });
  assert.is(empty.stderr, 'warning: pgtyped.config.json: no file under src/queries matches **/*.sql, so there are no queries to type; put annotated queries there, or point srcDir at your queries\n');

  writeFileSync(path.join(app, 'src', 'queries', 'users.sql'), [
    '/* @name UserById */',
    'select id, email from users where id = $1;',
    '',
    '/* @name Fine */',
    "select id from users where email = :email! and email <> '$2' -- $3 in a comment",
    ';',
    '',
    '/* @name Both */',
    'select id from users',
    'where id = $1 or id = $2 or id = $1;',
    '',
  ].join('\n'));
  const typed = await runRb(['types'], { cwd: app, env });
  assert.is(typed.code, 0, typed.stderr);
  assert.is(typed.stderr, [
    'warning: src/queries/users.sql:2: query UserById uses $1: pgtyped types only named parameters, so the generated query takes no value for it and fails when it runs; write :name (e.g. :id!) instead',
    'warning: src/queries/users.sql:10: query Both uses $1, $2: pgtyped types only named parameters, so the generated query takes no value for them and fails when it runs; write :name (e.g. :id!) instead',
    '',
  ].join('\n'));
  assert.match(readFileSync(path.join(app, 'src', 'queries', 'users.queries.ts'), 'utf8'), "export type IUserByIdParams = void;");
  // The warnings come from the files themselves: a run served from the cache repeats them.
  const cached = await runRb(['types'], { cwd: app, env });
  assert.is(cached.stderr, typed.stderr);
  assert.match(cached.stdout, '(nothing changed since the last run)');
});

test('rb types --watch watches pgtyped\'s srcDir (src/queries), and follows an edited srcDir', async () => {
  const app = tempProject({ '20240101000001_users.sql': CREATE_APP });
  writeJson(path.join(app, 'pgtyped.config.json'), pgtypedConfig('./src/queries/'));
  mkdirSync(path.join(app, 'src', 'queries'), { recursive: true });
  mkdirSync(path.join(app, 'src', 'sql'), { recursive: true });
  writeFileSync(path.join(app, 'src', 'queries', 'a.sql'), '/* @name A */\nselect id from users;\n');
  const env = { DATABASE_URL: await createEmptyDatabase(import.meta.url) };
  const watch = startRb(['types', '--watch'], { cwd: path.join(app, 'src'), env });
  const waitFor = (pattern: RegExp) => watch.waitFor('stdout', pattern);
  try {
    await waitFor(/Wrote src\/queries\/a\.queries\.ts/);
    assert.match(watch.stdout(), /^Watching src\/queries, db\/migrations and pgtyped\.config\.json \(Ctrl-C stops\)\n/);
    writeFileSync(path.join(app, 'src', 'queries', 'b.sql'), '/* @name B */\nselect email from users;\n');
    await waitFor(/Wrote src\/queries\/b\.queries\.ts/);
    // srcDir moves to src/sql: files there are now the queries, and a save there regenerates.
    writeJson(path.join(app, 'pgtyped.config.json'), pgtypedConfig('./src/sql/'));
    await waitFor(/0 query file\(s\)/);
    writeFileSync(path.join(app, 'src', 'sql', 'c.sql'), '/* @name C */\nselect 1 as one;\n');
    await waitFor(/Wrote src\/sql\/c\.queries\.ts/);
    assert.ok(existsSync(path.join(app, 'src', 'sql', 'c.queries.ts')));
    assert.is(watch.exited(), undefined, 'still watching');
  } finally {
    watch.child.kill('SIGTERM');
  }
  assert.equal(readdirSync(path.join(app, 'src', 'queries')).sort(), ['a.queries.ts', 'a.sql', 'b.queries.ts', 'b.sql']);
  const [row] = await withSql(env.DATABASE_URL, (sql) => sql`select to_regclass('public.schema_migrations') is null as untouched`);
  assert.ok(row.untouched, 'rb types never migrates the target itself');
});

test.run();
