/**
 * rb new-migration with names in any script, and the Makefile's targets with user text that a
 * shell would otherwise split or choke on (quotes, spaces).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot, withSql } from '../support/databases.ts';
import { runRb, rbBin, tempProject } from '../support/project.ts';
import { runProcess } from '../../src/process.ts';

const migrationFiles = (cwd: string) => readdirSync(path.join(cwd, 'db', 'migrations')).sort();

test('names of letters in any script become file names dbmate applies; Latin accents are dropped', async () => {
  const cwd = tempProject();
  const names: [string[], string][] = [
    [['ユーザー表を追加'], 'ユーザー表を追加'],
    [['добавить', 'таблицу', 'й'], 'добавить_таблицу_й'],
    [['사용자 테이블 추가'], '사용자_테이블_추가'],
    [["Café crème's table"], 'cafe_creme_s_table'],
  ];
  for (const [words, slug] of names) {
    const run = await runRb(['new-migration', ...words], { cwd });
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^Created db/migrations/\\d{14}_${slug}\\.sql\\n$`));
  }
  const files = migrationFiles(cwd);
  assert.equal(files.map((f) => f.replace(/^\d{14}_/, '')).sort(), names.map(([, slug]) => `${slug}.sql`).sort());

  // dbmate (through rb upgrade) reads and applies them; each creates a table named by its version.
  for (const file of files) {
    const version = file.slice(0, 14);
    writeFileSync(path.join(cwd, 'db', 'migrations', file), `-- migrate:up\ncreate table t_${version} (id int);\n\n-- migrate:down\ndrop table t_${version};\n`);
  }
  const url = await createEmptyDatabase(import.meta.url);
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.code, 0, up.stderr);
  for (const file of files) assert.match(up.stdout, `Applied: ${file}\n`);
  const applied = await withSql(url, async (sql) => (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string));
  assert.equal(applied, files.map((f) => f.slice(0, 14)));
  const down = await runRb(['downgrade', '1'], { cwd, env: { DATABASE_URL: url } });
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, files[files.length - 1]);
});

test('a name too long for a file name (in bytes) is refused with one line; nothing is written', async () => {
  const cwd = tempProject();
  const run = await runRb(['new-migration', '表'.repeat(80)], { cwd });
  assert.is(run.code, 2);
  assert.is(run.stderr, 'rb: migration name takes 240 bytes in UTF-8; keep it to 200 (it becomes the file name, which may hold 255 bytes)\n');
  assert.equal(migrationFiles(cwd), []);
});

/** Runs the repository's Makefile in `cwd` as `make <args>`, with rb by absolute path and no install step. */
const make = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  runProcess('make', ['--no-print-directory', '-f', path.join(repoRoot, 'Makefile'), '-C', cwd, '-o', 'install', `RB=${rbBin}`, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
  });

test('make revision name="add user\'s table" passes the name as one argument', async () => {
  const cwd = tempProject();
  const run = await make(cwd, ['revision', `name=add user's "big" table`]);
  assert.is(run.code, 0, run.stderr);
  assert.equal(migrationFiles(cwd).map((f) => f.replace(/^\d{14}_/, '')), ['add_user_s_big_table.sql']);
  assert.match(readFileSync(path.join(cwd, 'db', 'migrations', migrationFiles(cwd)[0]), 'utf8'), /^-- migrate:up\n/);

  const missing = await make(cwd, ['revision']);
  assert.is(missing.code, 2);
  assert.match(missing.stdout, 'usage: make revision name="add my model"\n');
});

test('make run-script and make downgrade pass script= and steps= as one argument each, args= split at spaces', async () => {
  const cwd = tempProject();
  const env = { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/none' };
  const script = await make(cwd, ['run-script', "script=backfill/it's my file.ts", 'args=--dry-run --batch-size 0'], env);
  assert.is(script.code, 2);
  // --batch-size 0 is checked first: proof that args= arrived as separate arguments.
  assert.match(script.stderr, 'rb: --batch-size 0: must be a whole number from 1 to 1,000,000');
  const named = await make(cwd, ['run-script', "script=backfill/it's my file.ts", 'args=--dry-run'], env);
  assert.is(named.code, 2);
  assert.match(named.stderr, "rb: backfill/it's my file.ts: no such file; ");

  const steps = await make(cwd, ['downgrade', 'steps=1; touch pwned'], env);
  assert.is(steps.code, 2);
  assert.match(steps.stderr, 'rb: ');
  assert.match(steps.stderr, '1; touch pwned');
  assert.equal(readdirSync(cwd).filter((f) => f === 'pwned'), [], 'user text never runs as a command');
});

test.run();
