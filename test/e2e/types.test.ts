import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { withDatabase } from '../../src/target/database-url.ts';

const CONFIG = JSON.stringify({
  transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }],
  srcDir: './queries/',
});

const USER_SQL = `/* @name GetUserById */
SELECT id, email FROM "user" WHERE id = :id!;
`;

/** A project with the repository's migrations, the pgtyped config and one query file. */
function project(): string {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  writeFileSync(path.join(cwd, 'pgtyped.config.json'), CONFIG);
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), USER_SQL);
  return cwd;
}

const read = (cwd: string, file: string) => readFileSync(path.join(cwd, file), 'utf8');

test('rb types builds the shadow database, writes typed queries, then reuses both', async () => {
  const cwd = project();
  const url = await createEmptyDatabase('types-main');
  const shadow = `${new URL(url).pathname.slice(1)}_rb_shadow`;
  // PG* variables would override pgtyped's --uri (field notes §3): rb must not let them.
  const env = { DATABASE_URL: url, PGHOST: 'nowhere.invalid', PGPORT: '1', PGDATABASE: 'nope', PGUSER: 'nobody' };
  const first = await runRb(['types'], { cwd, env });
  assert.is(first.code, 0, first.stderr);
  assert.is(first.stdout, [
    `Rebuilt the shadow database ${shadow} from the migrations`,
    'Wrote queries/user.queries.ts',
    '1 query file(s): 1 written, 0 unchanged',
    '',
  ].join('\n'));
  const generated = read(cwd, 'queries/user.queries.ts');
  assert.match(generated, /export interface IGetUserByIdResult \{\n {2}email: string;\n {2}id: string;\n\}/);
  assert.match(generated, /export const getUserById = new PreparedQuery<IGetUserByIdParams,IGetUserByIdResult>/);

  // The shadow is migrated from scratch and carries the search_path and the migrations hash.
  const state = await withSql(withDatabase(url, shadow), async (sql) => ({
    versions: (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string),
    searchPath: (await sql`show search_path`)[0].search_path as string,
    target: (await sql`select count(*)::int as n from pg_database where datname = ${new URL(url).pathname.slice(1)}`)[0].n as number,
  }));
  assert.equal(state.versions, ['20240801000000', '20240801000100', '20240820151319']);
  assert.is(state.searchPath, 'app, public');
  const targetTables = await withSql(url, async (sql) => (await sql`select count(*)::int as n from information_schema.tables where table_schema = 'app'`)[0].n as number);
  assert.is(targetTables, 0, 'the target database itself is left alone');

  const second = await runRb(['types'], { cwd, env });
  assert.is(second.code, 0, second.stderr);
  assert.is(second.stdout, '1 query file(s): 0 written, 1 unchanged (nothing changed since the last run)\n');

  // A new query file: the shadow is reused (no rebuild line), only the new file is generated.
  writeFileSync(path.join(cwd, 'queries', 'my_model.sql'), '/* @name CountModels */\nSELECT count(*) AS "n!" FROM my_model;\n');
  const third = await runRb(['types'], { cwd, env });
  assert.is(third.code, 0, third.stderr);
  assert.is(third.stdout, 'Wrote queries/my_model.queries.ts\n2 query file(s): 1 written, 1 unchanged\n');
  assert.match(read(cwd, 'queries/my_model.queries.ts'), /n: string;/);
});

test('a changed migration rebuilds the shadow and the new column is typed', async () => {
  const cwd = project();
  const url = await createEmptyDatabase('types-migration');
  assert.is((await runRb(['types'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  writeFileSync(path.join(cwd, 'db', 'migrations', '20250101000000_add_nickname.sql'),
    migration('alter table app."user" add column nickname text not null default \'\';', 'alter table app."user" drop column nickname;'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), `${USER_SQL}\n/* @name GetNickname */\nSELECT nickname FROM "user" WHERE id = :id!;\n`);
  const run = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Rebuilt the shadow database /);
  assert.match(read(cwd, 'queries/user.queries.ts'), /export interface IGetNicknameResult \{\n {2}nickname: string;\n\}/);
});

test('rb types --check passes on current files and names each stale or hand-edited file', async () => {
  const cwd = project();
  const url = await createEmptyDatabase('types-check');
  const env = { DATABASE_URL: url };
  assert.is((await runRb(['types'], { cwd, env })).code, 0);
  const ok = await runRb(['types', '--check'], { cwd, env });
  assert.is(ok.code, 0, ok.stderr);
  assert.is(ok.stdout, '1 query file(s): generated types are up to date\n');

  // As in CI: no .rb cache at all, the check generates for real.
  rmSync(path.join(cwd, '.rb'), { recursive: true, force: true });
  const fresh = await runRb(['types', '--check'], { cwd, env });
  assert.is(fresh.code, 0, fresh.stderr);

  const committed = read(cwd, 'queries/user.queries.ts');
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), `${USER_SQL}\n/* @name GetEmail */\nSELECT email FROM "user" WHERE id = :id!;\n`);
  const stale = await runRb(['types', '--check'], { cwd, env });
  assert.is(stale.code, 1);
  assert.is(stale.stderr, [
    'queries/user.queries.ts is stale: it differs from what rb types generates from queries/user.sql',
    'rb: 1 generated file(s) out of date; run rb types and commit the result',
    '',
  ].join('\n'));
  assert.is(read(cwd, 'queries/user.queries.ts'), committed, '--check writes nothing');

  // Back to the committed query, but the generated file was edited by hand.
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), USER_SQL);
  writeFileSync(path.join(cwd, 'queries', 'user.queries.ts'), committed.replace('email: string;', 'email: number;'));
  const edited = await runRb(['types', '--check'], { cwd, env });
  assert.is(edited.code, 1);
  assert.match(edited.stderr, /^queries\/user\.queries\.ts is stale: /);

  rmSync(path.join(cwd, 'queries', 'user.queries.ts'));
  const missing = await runRb(['types', '--check'], { cwd, env });
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^queries\/user\.queries\.ts is missing: /);
});

test('a renamed query file: --check names the orphaned output, rb types removes it', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('types-orphan') };
  assert.is((await runRb(['types'], { cwd, env })).code, 0);
  renameSync(path.join(cwd, 'queries', 'user.sql'), path.join(cwd, 'queries', 'account.sql'));
  const check = await runRb(['types', '--check'], { cwd, env });
  assert.is(check.code, 1);
  assert.is(check.stderr, [
    'queries/account.queries.ts is missing: it differs from what rb types generates from queries/account.sql',
    'queries/user.queries.ts is stale: its query file queries/user.sql no longer exists; delete it (rb types does)',
    'rb: 2 generated file(s) out of date; run rb types and commit the result',
    '',
  ].join('\n'));
  const run = await runRb(['types'], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, [
    'Wrote queries/account.queries.ts',
    'Removed queries/user.queries.ts (its query file queries/user.sql is gone)',
    '1 query file(s): 1 written, 0 unchanged',
    '',
  ].join('\n'));
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'user.queries.ts')));
  assert.is((await runRb(['types', '--check'], { cwd, env })).code, 0);
});

test('a query on a missing column fails rb types and rb types --check with file, line, query and message', async () => {
  const cwd = project();
  const url = await createEmptyDatabase('types-invalid');
  const env = { DATABASE_URL: url };
  writeFileSync(path.join(cwd, 'queries', 'bad.sql'), [
    '/* @name StillFine */',
    'SELECT id FROM my_model;',
    '',
    '/* @name UsesMissingColumn */',
    'SELECT id,',
    '  no_such_column',
    'FROM my_model WHERE id = :id!;',
    '',
    '/* @name ListWithoutSpread */',
    'SELECT id FROM my_model',
    'WHERE id in :ids!;',
    '',
  ].join('\n'));
  const expected = [
    'queries/bad.sql:6: query UsesMissingColumn: column "no_such_column" does not exist',
    'queries/bad.sql:11: query ListWithoutSpread: syntax error at or near "$1"; a list after IN needs a spread parameter: ' +
      'declare it with "@param ids -> (...)" in the query\'s comment and write "in :ids"',
    'rb: 2 invalid queries in 1 file(s); nothing was written; fix them and run rb types again',
    '',
  ].join('\n');
  const run = await runRb(['types'], { cwd, env });
  assert.is(run.code, 1);
  assert.is(run.stderr, expected);
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'bad.queries.ts')), 'nothing written for the bad file');
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'user.queries.ts')), 'nothing written at all');

  const check = await runRb(['types', '--check'], { cwd, env });
  assert.is(check.code, 1);
  assert.is(check.stderr, expected.replace('nothing was written', 'the check failed'));
});

test('two queries of one file with the same @name (or names exported alike) are refused, naming both lines; nothing is written', async () => {
  const cwd = project();
  const url = await createEmptyDatabase('types-duplicates');
  writeFileSync(path.join(cwd, 'queries', 'twice.sql'), [
    '/* @name GetUser */',
    'SELECT id FROM "user" WHERE id = :id!;',
    '',
    '/* @name CountUsers */',
    'SELECT count(*) AS "n!" FROM "user";',
    '',
    '/*',
    '  @name GetUser',
    '*/',
    'SELECT email FROM "user" WHERE id = :id!;',
    '',
    '/* @name getUser */',
    'SELECT id FROM "user";',
    '',
  ].join('\n'));
  const run = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.stderr, [
    'queries/twice.sql:8: query GetUser: the name GetUser is also used by the query at queries/twice.sql:1; give each query of a file its own @name',
    'queries/twice.sql:12: query getUser: getUser and GetUser (queries/twice.sql:1) would both be exported as getUser; give each query of a file its own @name',
    'rb: 2 invalid queries in 1 file(s); nothing was written; fix them and run rb types again',
    '',
  ].join('\n'));
  assert.is(run.code, 1);
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'twice.queries.ts')), 'no file with two export const getUser');
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'user.queries.ts')), 'nothing written at all');
});

test('a broken migration fails rb types naming the migration; --prod is refused', async () => {
  const cwd = project();
  const url = await createEmptyDatabase('types-badmig');
  writeFileSync(path.join(cwd, 'db', 'migrations', '20250101000000_broken.sql'), migration('alter table app.nope add column x int;', 'select 1;'));
  const run = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 4);
  assert.match(run.stderr, /^rb: building the shadow database \S+_rb_shadow from the migrations failed at db\/migrations\/20250101000000_broken\.sql.*relation "app\.nope" does not exist/);
  assert.is(run.stderr.trim().split('\n').length, 1);

  const prod = await runRb(['types', '--prod'], { cwd, env: { DATABASE_URL: url, PROD_DATABASE_URL: url } });
  assert.is(prod.code, 2);
  assert.match(prod.stderr, /^rb: rb types never uses production/);
});

test('a missing pgtyped.config.json is a usage error naming the file and the fix', async () => {
  const cwd = project();
  rmSync(path.join(cwd, 'pgtyped.config.json'));
  const run = await runRb(['types'], { cwd, env: { DATABASE_URL: await createEmptyDatabase('types-noconfig') } });
  assert.is(run.code, 2);
  assert.match(run.stderr, /^rb: pgtyped\.config\.json not found: rb types needs the committed pgtyped configuration; create it, e\.g\. \{/);
});

test('the repository\'s committed queries/*.queries.ts are current (rb types --check on a copy, no cache)', async () => {
  const cwd = tempProject();
  for (const dir of ['db/migrations', 'queries']) cpSync(path.join(repoRoot, dir), path.join(cwd, dir), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  const run = await runRb(['types', '--check'], { cwd, env: { DATABASE_URL: await createEmptyDatabase('types-repo') } });
  assert.is(run.stderr, '');
  assert.is(run.code, 0);
  assert.match(run.stdout, /query file\(s\): generated types are up to date\n$/);
});

test.run();
