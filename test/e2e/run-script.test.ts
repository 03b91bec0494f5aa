import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase, repoRoot, withSql } from '../support/databases.ts';
import { runRb, tempProject, runtimeEntry } from '../support/project.ts';


/** A project whose package.json says "type": "module" (scripts are ES modules), holding the given files. */
function project(files: Record<string, string>): string {
  const dir = tempProject();
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rb-test-project', private: true, type: 'module' }, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function seed(url: string, rows: number): Promise<void> {
  await withSql(url, async (sql) => {
    await sql`insert into app."user" (email) values ('owner@example.com')`;
    await sql`insert into app.my_model (user_id) select (select id from app."user" limit 1) from generate_series(1, ${rows})`;
  });
}

const state = (url: string) =>
  withSql(url, async (sql) => {
    const [row] = await sql<{ total: string; filled: string; users: string }[]>`
      select (select count(*) from app.my_model) as total,
             (select count(*) from app.my_model where model_prop = id::text) as filled,
             (select count(*) from app."user") as users`;
    return { total: Number(row.total), filled: Number(row.filled), users: Number(row.users) };
  });

const FILL = `import type { Backfill } from '${runtimeEntry}';

const backfill: Backfill = async ({ sql, log, args }) => {
  const rows = await sql\`update app.my_model set model_prop = id::text where model_prop is null\`;
  log.info('filled model_prop', { rows: rows.count, args: args.join(' ') });
  return { filled: rows.count };
};
export default backfill;
`;

/** Uses the repository's generated queries/my_model.queries.ts (pgtyped output; unqualified table names, so it also proves the search_path). */
const TYPED_SCRIPT = `import type { Backfill } from '${runtimeEntry}';
import { getMyModelById, populateModelPropInRange } from '${path.join(repoRoot, 'queries', 'my_model.queries.ts')}';

const backfill: Backfill = async ({ db, log }) => {
  await populateModelPropInRange.run({ fromId: 1, toId: '1000' }, db);
  const [row] = await getMyModelById.run({ id: 3 }, db);
  log.info('row 3', { model_prop: row.model_prop });
};
export default backfill;
`;

test('run-script commits the script\'s transaction and reports what changed', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 25);
  const cwd = project({ 'backfill/2024-09-20_fill.ts': FILL });
  const run = await runRb(['run-script', 'backfill/2024-09-20_fill.ts', '--', 'a', 'b'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.equal(await state(url), { total: 25, filled: 25, users: 1 });
  assert.match(run.stdout, /^backfill\/2024-09-20_fill\.ts: committed on .+ in \d+\.\ds\n/);
  assert.match(run.stdout, '\n  app.my_model: 25 updated\n  filled: 25 (reported by the script)\n');
  assert.is(run.stderr, '[info] filled model_prop rows=25 args="a b"\n');
});

test('a throw rolls everything back and names the script line; exit 4', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 10);
  const script = `import type { Backfill } from '${runtimeEntry}';

const backfill: Backfill = async ({ sql }) => {
  await sql\`update app.my_model set model_prop = id::text\`;
  await sql\`insert into app."user" (email) values ('second@example.com')\`;
  throw new Error('half-way: giving up');
};
export default backfill;
`;
  const cwd = project({ 'backfill/throws.ts': script });
  const run = await runRb(['run-script', 'backfill/throws.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 4);
  assert.is(run.stderr, 'rb: backfill/throws.ts:6: half-way: giving up; the transaction was rolled back, nothing was changed\n');
  assert.is(run.stdout, '');
  assert.equal(await state(url), { total: 10, filled: 0, users: 1 });
});

test('a failing statement gives its SQLSTATE and the script line; nothing is kept', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 3);
  const script = `export default async ({ sql }: { sql: any }) => {
  await sql\`update app.my_model set model_prop = id::text\`;
  await sql\`update app.my_model set model_prop = 'same'\`;
};
`;
  const cwd = project({ 'backfill/dupe.ts': script });
  const run = await runRb(['run-script', 'backfill/dupe.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 4);
  assert.is(
    run.stderr,
    'rb: backfill/dupe.ts:3: duplicate key value violates unique constraint "my_model_model_prop_key" (SQLSTATE 23505: Key (model_prop)=(same) already exists.); the transaction was rolled back, nothing was changed\n',
  );
  assert.equal(await state(url), { total: 3, filled: 0, users: 1 });
});

test('--dry-run runs the script, rolls back and reports the changes; the database keeps no trace', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 12);
  const script = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql, dryRun, log }) => {
  await sql\`create table app.scratch (id int)\`;
  await sql\`update app.my_model set model_prop = id::text where id <= 5\`;
  await sql\`delete from app.my_model where id > 10\`;
  await sql\`insert into app."user" (email) values ('dry@example.com')\`;
  log.info('dry?', { dryRun });
};
export default backfill;
`;
  const cwd = project({ 'backfill/dry.ts': script });
  const run = await runRb(['run-script', 'backfill/dry.ts', '--dry-run'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, '[info] dry? dryRun=true\n');
  const lines = run.stdout.split('\n');
  assert.match(lines[0], /^Dry run of backfill\/dry\.ts on .+: rolled back, nothing was changed\. Before the rollback it had changed:$/);
  assert.equal(lines.slice(1), ['  app."user": 1 inserted', '  app.my_model: 5 updated, 2 deleted', '']);
  assert.equal(await state(url), { total: 12, filled: 0, users: 1 });
  const scratch = await withSql(url, async (sql) => (await sql`select to_regclass('app.scratch') as t`)[0].t);
  assert.is(scratch, null);
});

test('session defaults: lock_timeout 5s and statement_timeout 15min, which a script may change', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  const script = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql, log }) => {
  const [before] = await sql\`select current_setting('lock_timeout') as lock, current_setting('statement_timeout') as statement, current_setting('search_path') as path\`;
  await sql\`set local statement_timeout = '1h'\`;
  const [after] = await sql\`select current_setting('statement_timeout') as statement\`;
  log.info('settings', { lock: before.lock, statement: before.statement, path: before.path, changed: after.statement });
};
export default backfill;
`;
  const cwd = project({ 'backfill/settings.ts': script });
  const run = await runRb(['run-script', 'backfill/settings.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, '[info] settings lock=5s statement=15min path="app, public" changed=1h\n');
});

test('a script that imports a pgtyped-generated query runs it through db', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 7);
  const cwd = project({ 'backfill/typed.ts': TYPED_SCRIPT });
  const run = await runRb(['run-script', 'backfill/typed.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.equal(await state(url), { total: 7, filled: 7, users: 1 });
  assert.match(run.stdout, /committed on .+\n  app\.my_model: 7 updated\n$/);
  assert.is(run.stderr, '[info] row 3 model_prop=3\n');
});

test('a script file that does not exist: one line, exit 2', async () => {
  const cwd = project({});
  const run = await runRb(['run-script', 'backfill/nope.ts'], { cwd, env: { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/none' } });
  assert.is(run.code, 2);
  assert.is(run.stderr, 'rb: backfill/nope.ts: no such file; pass the path of a backfill script, e.g. rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts\n');
  assert.is(run.stdout, '');
});

test('a script without a default export: one line, exit 2', async () => {
  const cwd = project({ 'backfill/named.ts': 'export async function backfill() {}\n' });
  const run = await runRb(['run-script', 'backfill/named.ts'], { cwd, env: { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/none' } });
  assert.is(run.code, 2);
  assert.is(
    run.stderr,
    'rb: backfill/named.ts: no default export; export default an async function ({ sql, db, log, args, dryRun }) => { ... } (type Backfill from rb), or export default batchedBackfill({ ... })\n',
  );
});

test('a script with a TypeScript syntax error: one line with file:line:column, exit 2', async () => {
  const cwd = project({ 'backfill/broken.ts': 'export default async () => {\n  const x: number = ;\n};\n' });
  const run = await runRb(['run-script', 'backfill/broken.ts'], { cwd, env: { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/none' } });
  assert.is(run.code, 2);
  assert.is(run.stderr, 'rb: backfill/broken.ts:2:20: TypeScript syntax error: Unexpected ";"; fix the script and run it again\n');
});

test('bad flags: --batch-size 0, and batch flags on a one-transaction script; one line each, exit 2', async () => {
  const cwd = project({ 'backfill/fill.ts': FILL });
  const env = { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/none' };
  const zero = await runRb(['run-script', 'backfill/fill.ts', '--batch-size', '0'], { cwd, env });
  assert.is(zero.code, 2);
  assert.is(zero.stderr, 'rb: --batch-size 0: must be a whole number from 1 to 1,000,000 (rows per batch transaction), e.g. --batch-size 5000\n');
  const single = await runRb(['run-script', 'backfill/fill.ts', '--batch-size', '100'], { cwd, env });
  assert.is(single.code, 2);
  assert.is(single.stderr, 'rb: backfill/fill.ts: --batch-size, --pause and --restart apply only to batched scripts (export default batchedBackfill({ ... }))\n');
});

test('a project without "type": "module" can run TypeScript scripts too', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await seed(url, 4);
  const cwd = tempProject();
  mkdirSync(path.join(cwd, 'backfill'));
  writeFileSync(path.join(cwd, 'backfill', 'fill.ts'), FILL);
  const run = await runRb(['run-script', 'backfill/fill.ts'], { cwd, env: { DATABASE_URL: url } });
  assert.is(run.code, 0, run.stderr);
  assert.equal(await state(url), { total: 4, filled: 4, users: 1 });
});

test('--prod runs against PROD_DATABASE_URL only with --yes; without a terminal it refuses and changes nothing', async () => {
  const local = await createMigratedDatabase(import.meta.url);
  const prod = await createMigratedDatabase(import.meta.url);
  await seed(local, 5);
  await seed(prod, 6);
  const cwd = project({ 'backfill/fill.ts': FILL });
  const env = { DATABASE_URL: local, PROD_DATABASE_URL: prod };

  const refused = await runRb(['run-script', 'backfill/fill.ts', '--prod'], { cwd, env });
  assert.is(refused.code, 5);
  assert.match(refused.stderr, /^PRODUCTION: run-script backfill\/fill\.ts\n/);
  assert.match(refused.stderr, '  - run backfill/fill.ts in one transaction and commit it if the script succeeds\n');
  assert.match(refused.stderr, /\nrb: refusing to touch production \(.+\) without a terminal to confirm on; pass --yes to confirm non-interactively\n$/);
  assert.equal(await state(prod), { total: 6, filled: 0, users: 1 });

  const run = await runRb(['run-script', 'backfill/fill.ts', '--prod', '--yes'], { cwd, env });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /committed on PRODUCTION /);
  assert.equal(await state(prod), { total: 6, filled: 6, users: 1 });
  assert.equal(await state(local), { total: 5, filled: 0, users: 1 }, 'the local database is untouched');
});

test.run();
