/**
 * A batched backfill whose settings cannot work is refused before anything runs, with one line
 * naming the script and the setting (exit 2): never an internal error, never a run that
 * "finishes" having skipped rows or miscounted them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase, withSql } from '../support/databases.ts';
import { runRb, tempProject, runtimeEntry } from '../support/project.ts';


function project(scripts: Record<string, string>): string {
  const dir = tempProject();
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rb-test-project', private: true, type: 'module' }));
  mkdirSync(path.join(dir, 'backfill'));
  for (const [name, text] of Object.entries(scripts)) writeFileSync(path.join(dir, 'backfill', name), text);
  return dir;
}

/** A batched script with the given options (the batch fills model_prop-like columns). */
const batched = (options: string) => `import { batchedBackfill } from '${runtimeEntry}';
export default batchedBackfill({
  ${options}
  async batch({ sql, from, to }) {
    return sql\`update app.my_model set model_prop = id::text where id between \${from} and \${to}\`;
  },
});
`;

let url: string;
let cwd: string;

test.before(async () => {
  url = await createMigratedDatabase(import.meta.url);
  await withSql(url, async (sql) => {
    await sql`insert into app.my_model (id) select g from generate_series(1, 50) g`;
    await sql.unsafe(`
      create table app.loose (id int primary key, nullable_key int unique, shared int not null, note text);
      insert into app.loose (id, shared) select g, g % 3 from generate_series(1, 20) g;
      create view app.my_model_view as select * from app.my_model;`);
  });
  cwd = project({
    'semicolon.ts': batched(`table: 'app.my_model; drop table app.my_model',`),
    'quoted.ts': batched(`table: 'app."my_model"',`),
    'three-parts.ts': batched(`table: 'db.app.my_model',`),
    'huge.ts': batched(`table: 'app.my_model', batchSize: 3_000_000_000,`),
    'fraction.ts': batched(`table: 'app.my_model', pauseMs: 1.5,`),
    'typo.ts': batched(`table: 'app.my_model', batchsize: 100,`),
    'null-key.ts': batched(`table: 'app.loose', key: 'nullable_key',`),
    'shared-key.ts': batched(`table: 'app.loose', key: 'shared',`),
    'view.ts': batched(`table: 'app.my_model_view',`),
    'bad-key.ts': batched(`table: 'app.my_model', key: 'id; select 1',`),
    'ok.ts': batched(`table: 'app.my_model', batchSize: 20,`),
  });
});

const run = (args: string[]) => runRb(['run-script', ...args], { cwd, env: { DATABASE_URL: url } });

const untouched = async () => {
  const [row] = await withSql(url, (sql) => sql`
    select count(*) filter (where model_prop is not null)::int as filled, to_regclass('public.rb_backfill_checkpoints') is not null as checkpoints
      from app.my_model`);
  assert.equal({ ...row }, { filled: 0, checkpoints: false }, 'nothing ran');
};

const cases: [string, string[], string][] = [
  ['a table name with ";"', ['backfill/semicolon.ts'],
    'rb: backfill/semicolon.ts: batchedBackfill({ table: "app.my_model; drop table app.my_model" }) is not a table name; write [schema.]table with letters, digits, _ and $, e.g. table: "app.my_model"'],
  ['a quoted table name', ['backfill/quoted.ts'],
    'rb: backfill/quoted.ts: batchedBackfill({ table: "app.\\"my_model\\"" }) is not a table name; write [schema.]table with letters, digits, _ and $, e.g. table: "app.my_model"'],
  ['a three-part table name', ['backfill/three-parts.ts'],
    'rb: backfill/three-parts.ts: batchedBackfill({ table: "db.app.my_model" }) is not a table name; write [schema.]table with letters, digits, _ and $, e.g. table: "app.my_model"'],
  ['batchSize 3,000,000,000 in the script', ['backfill/huge.ts'],
    'rb: backfill/huge.ts: batchedBackfill({ batchSize: 3000000000 }) must be a whole number from 1 to 1,000,000 (rows per batch transaction)'],
  ['--batch-size 3000000000', ['backfill/ok.ts', '--batch-size', '3000000000'],
    'rb: --batch-size 3000000000: must be a whole number from 1 to 1,000,000 (rows per batch transaction), e.g. --batch-size 5000'],
  ['--batch-size 1.5', ['backfill/ok.ts', '--batch-size', '1.5'],
    'rb: --batch-size 1.5: must be a whole number from 1 to 1,000,000 (rows per batch transaction), e.g. --batch-size 5000'],
  ['--pause -1', ['backfill/ok.ts', '--pause=-1'],
    'rb: --pause -1: must be a whole number from 0 to 3,600,000 (milliseconds between batches), e.g. --pause 100'],
  ['a fractional pauseMs', ['backfill/fraction.ts'],
    'rb: backfill/fraction.ts: batchedBackfill({ pauseMs: 1.5 }) must be a whole number from 0 to 3,600,000 (milliseconds between batches)'],
  ['an unknown option (a typo)', ['backfill/typo.ts'],
    'rb: backfill/typo.ts: batchedBackfill({ ... }) has no option "batchsize"; the options are table, key, batchSize, pauseMs, job, batch'],
  ['a key column that may be NULL (all NULL here)', ['backfill/null-key.ts'],
    'rb: backfill/null-key.ts: key column "nullable_key" of app.loose may be NULL: rows whose key is NULL would never be walked; use the primary key or a unique NOT NULL column in batchedBackfill({ key: ... })'],
  ['a key column that is not unique', ['backfill/shared-key.ts'],
    'rb: backfill/shared-key.ts: key column "shared" of app.loose has no unique index of its own: rows sharing a key would be split across batches and miscounted; use the primary key or a unique NOT NULL column in batchedBackfill({ key: ... })'],
  ['a view', ['backfill/view.ts'],
    'rb: backfill/view.ts: app.my_model_view is a view; batchedBackfill({ table: ... }) walks the rows of a table'],
  ['a key that is not a column name', ['backfill/bad-key.ts'],
    'rb: backfill/bad-key.ts: batchedBackfill({ key: "id; select 1" }) is not a column name; name the unique, NOT NULL key column, e.g. key: "id"'],
];

for (const [name, args, message] of cases) {
  test(`refused up front: ${name}; one line, exit 2, nothing runs`, async () => {
    const result = await run(args);
    assert.is(result.stderr, `${message}\n`);
    assert.is(result.code, 2);
    assert.is(result.stdout, '');
    await untouched();
  });
}

test('--dry-run checks the same rules', async () => {
  const result = await run(['backfill/shared-key.ts', '--dry-run']);
  assert.is(result.code, 2);
  assert.match(result.stderr, 'has no unique index of its own');
  await untouched();
});

test('the valid script runs: every row walked once', async () => {
  const result = await run(['backfill/ok.ts']);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, ': 50 rows walked in 3 batches (50 changed)');
});

test.run();
