// Restores of a production that holds tables the migrations do not create (issue 11): another
// tool's tracking table (node-pg-migrate's pgmigrations, serial id: left out on its own, as a
// tool's history), a table made by hand (named, with the flag that leaves it out) and rb's own
// backfill checkpoints from a batched backfill that ran on production.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { runProcess } from '../../src/process.ts';
import { createEmptyDatabase, dropDatabases, repoRoot, withSql } from '../support/databases.ts';
import { runRb, tempProject, runtimeEntry } from '../support/project.ts';

const repoMigrations = path.join(repoRoot, 'db', 'migrations');
const cwd = tempProject(Object.fromEntries(readdirSync(repoMigrations).map((f) => [f, readFileSync(path.join(repoMigrations, f), 'utf8')])));
const PROD_VERSION = '20240820151319';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'rb-restore-other-tools-'));
const dumpFile = path.join(scratch, 'prod.dump');
const databases: string[] = [];
let prod = '';

const lastLine = (text: string) => text.trim().split('\n').at(-1);
const one = async (url: string, query: string) => withSql(url, async (sql) => Object.values((await sql.unsafe(query))[0])[0]);
const newLocal = async () => {
  const url = await createEmptyDatabase(import.meta.url);
  databases.push(url);
  return url;
};

test.before(async () => {
  prod = await newLocal();
  const migrated = await runDbmate({ url: prod, migrationsDir: path.join(cwd, 'db', 'migrations') }, ['migrate']);
  assert.ok(migrated.ok, migrated.stderr);
  await withSql(prod, (sql) => sql.unsafe(`
    insert into app."user" (email) select 'user' || g || '@example.com' from generate_series(1, 50) g;
    insert into app.my_model (user_id) select 1 + g % 50 from generate_series(1, 500) g;
    -- node-pg-migrate's tracking table, as that tool creates it (outside rb's migrations).
    create table public.pgmigrations (id serial primary key, name varchar(255) not null, run_on timestamp not null);
    insert into public.pgmigrations (name, run_on) values ('1700000000000_init', now()), ('1700000000001_users', now());
    -- A table made by hand on production, outside any migration.
    create table public.legacy_notes (id serial primary key, note text);
    insert into public.legacy_notes (note) values ('a'), ('b'), ('c');`));
  // A batched backfill ran on production: public.rb_backfill_checkpoints holds its finished job.
  mkdirSync(path.join(cwd, 'backfill'));
  writeFileSync(
    path.join(cwd, 'backfill', 'fill_model_prop.ts'),
    `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({
  table: 'app.my_model', key: 'id', batchSize: 100,
  async batch({ sql, from, to }) {
    return sql\`update app.my_model set model_prop = 'prop-' || id where id between \${from} and \${to} and model_prop is null\`;
  },
});
`,
  );
  const backfill = await runRb(['run-script', 'backfill/fill_model_prop.ts', '--prod', '--yes'], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(backfill.code, 0, backfill.stderr);
  assert.is(await one(prod, `select batches from public.rb_backfill_checkpoints where job = 'fill_model_prop' and finished_at is not null`), 5);
  const dumped = await runProcess('pg_dump', ['--format=custom', '--file', dumpFile, '--dbname', prod]);
  assert.ok(dumped.ok, dumped.stderr);
  const toc = await runProcess('pg_restore', ['--list', dumpFile]);
  assert.match(toc.stdout, / TABLE DATA public rb_backfill_checkpoints /);
});

test('a table made by hand outside the migrations: the failure names --exclude-table (not pgmigrations, a tool\'s history), also after --exclude-table-data', async () => {
  const local = await newLocal();
  const plain = await runRb(['restore-to-dump', dumpFile, '--no-pending'], { cwd, env: { DATABASE_URL: local } });
  assert.is(plain.code, 1, plain.stderr);
  assert.is(
    lastLine(plain.stderr),
    `rb: restore failed in phase "load data": the dump has data for public.legacy_notes, which the migrations up to ${PROD_VERSION} do not create (made outside the migrations, by another tool?); leave it out with --exclude-table public.legacy_notes, or add a migration that creates it; the local database was not changed`,
  );
  // What the issue tried: the sequence's value no longer fails the load; the table itself is what is missing.
  const dataOnly = await runRb(['restore-to-dump', dumpFile, '--exclude-table-data', 'public.legacy_notes'], { cwd, env: { DATABASE_URL: local } });
  assert.is(dataOnly.code, 1, dataOnly.stderr);
  assert.not.match(dataOnly.stderr, 'legacy_notes_id_seq');
  assert.is(
    lastLine(dataOnly.stderr),
    `rb: restore failed in phase "load data": the dump has public.legacy_notes (kept empty by --exclude-table-data, which needs the table), which the migrations up to ${PROD_VERSION} do not create (made outside the migrations, by another tool?); leave it out with --exclude-table public.legacy_notes, or add a migration that creates it; the local database was not changed`,
  );
  assert.is(await one(local, `select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname !~ '^(pg_|information_schema)'`), 0, 'the local database is still empty');
});

test('dump-and-restore --exclude-table public.legacy_notes restores a production that ran a batched backfill; node-pg-migrate\'s pgmigrations and the rb_backfill_checkpoints rows stay out', async () => {
  const local = await newLocal();
  const result = await runRb(['dump-and-restore', '--exclude-table', 'public.legacy_notes'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n {2}public\.legacy_notes +left out \(--exclude-table\)\n {2}public\.pgmigrations +left out \(node-pg-migrate's tracking table\)\n/);
  assert.match(result.stdout, "2 tables, 550 rows; every table's row count equals the dump's;");
  assert.is(await one(local, `select to_regclass('public.pgmigrations')`), null);
  assert.is(await one(local, `select to_regclass('public.legacy_notes')`), null);
  assert.is(await one(local, `select to_regclass('public.rb_backfill_checkpoints')`), null);
  assert.is(await one(local, `select count(*)::int from app.my_model where model_prop = 'prop-' || id`), 500);
  assert.is(await one(local, `select count(*)::int from app."user"`), 50);
});

test('excluding a table\'s data skips its sequence value; the other sequences are raised above the restored ids', async () => {
  const local = await newLocal();
  const result = await runRb(['restore-to-dump', dumpFile, '--exclude-table', 'legacy_notes', '--exclude-table-data', 'app.my_model'], { cwd, env: { DATABASE_URL: local } });
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n {2}app\.my_model +data excluded \(0 rows\)\n/);
  assert.is(await one(local, `select nextval(pg_get_serial_sequence('app.my_model', 'id'))::int`), 1, "production's value (500) was not restored");
  assert.is(await one(local, `select nextval(pg_get_serial_sequence('app."user"', 'id'))::int`), 51);
});

test.after(async () => {
  await dropDatabases(databases);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

test.run();
