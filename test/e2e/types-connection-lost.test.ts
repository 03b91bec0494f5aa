import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot, withSql } from '../support/databases.ts';
import { runRb, startRb, tempProject } from '../support/project.ts';
import { maskUrl, withDatabase } from '../../src/target/database-url.ts';

// pgtyped's wire client listens for no socket error and never learns that its connection closed
// (src/types/pgtyped-generator.ts): a connection the server ends mid-generation must end rb types
// with one line and exit 3, not a stack trace, a hang or an unsettled exit, and write nothing.

const FILES = 120;

function project(): string {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  mkdirSync(path.join(cwd, 'queries'));
  return cwd;
}

function writeQueryFiles(cwd: string): void {
  for (let i = 0; i < FILES; i += 1) {
    const queries = Array.from({ length: 8 }, (_, q) => `/* @name Get${i}x${q} */\nSELECT id, email FROM "user" WHERE id = :id! AND email <> '${i}-${q}';\n`);
    writeFileSync(path.join(cwd, 'queries', `q${String(i).padStart(3, '0')}.sql`), queries.join('\n'));
  }
}

/** A project whose shadow database is built (one query file generated), then 120 query files to generate. */
async function builtProject(label: string): Promise<{ cwd: string; url: string; shadow: string }> {
  const cwd = project();
  const url = await createEmptyDatabase(label);
  writeFileSync(path.join(cwd, 'queries', 'only.sql'), '/* @name Only */\nSELECT 1 AS one;\n');
  const built = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(built.code, 0, built.stderr);
  writeQueryFiles(cwd);
  return { cwd, url, shadow: `${new URL(url).pathname.slice(1)}_rb_shadow` };
}

test('pgtyped\'s connection ended by the server mid-generation: one line, exit 3, nothing written', async () => {
  // The shadow database is built first, so that the run below only generates.
  const { cwd, url, shadow } = await builtProject('types-lost');

  const run = startRb(['types'], { cwd, env: { DATABASE_URL: url } });
  // pgtyped's sessions (it sets no application_name; rb's own are named) on the shadow database.
  const terminated = await withSql(url, async (sql) => {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const rows = await sql<{ ended: boolean }[]>`
        select pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = ${shadow} and application_name = '' and pid <> pg_backend_pid()`;
      if (rows.some((r) => r.ended)) return rows.length;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return 0;
  });
  assert.ok(terminated > 0, 'saw pgtyped connect to the shadow database');
  const ended = await run.done;
  assert.is(ended.code, 3, ended.stdout + ended.stderr);
  assert.is(ended.stdout, '');
  const shadowUrl = maskUrl(withDatabase(url, shadow));
  assert.match(ended.stderr, new RegExp(`^rb: pgtyped's connection to ${shadowUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (was closed by the server; run rb types again|failed: [^\\n]+)\\n$`));
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'q000.queries.ts')), 'nothing written');
});

test('pgtyped\'s login refused (the shadow database takes no connections): one line, exit 3, not pgtyped\'s own exit 1', async () => {
  const cwd = project();
  writeFileSync(path.join(cwd, 'queries', 'only.sql'), '/* @name Only */\nSELECT 1 AS one;\n');
  const url = await createEmptyDatabase('types-login');
  const shadow = `${new URL(url).pathname.slice(1)}_rb_shadow`;
  const built = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(built.code, 0, built.stderr);
  await withSql(url, (sql) => sql.unsafe(`alter database "${shadow}" allow_connections false`));
  writeFileSync(path.join(cwd, 'queries', 'only.sql'), '/* @name Only */\nSELECT 2 AS two;\n');
  const refused = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(refused.code, 3, refused.stdout + refused.stderr);
  assert.is(refused.stdout, '');
  assert.is(refused.stderr, `rb: pgtyped could not connect to ${maskUrl(withDatabase(url, shadow))}: database "${shadow}" is not currently accepting connections\n`);
  assert.match(readFileSync(path.join(cwd, 'queries', 'only.queries.ts'), 'utf8'), 'one');
});

test('Ctrl-C while pgtyped logs in and generates: exit 130, no stack trace, nothing written', async () => {
  const { cwd, url, shadow } = await builtProject('types-ctrl-c');
  const run = startRb(['types'], { cwd, env: { DATABASE_URL: url } });
  // The signal as pgtyped's first session appears: its login (where process.exit is pgtyped's) or just after.
  await withSql(url, async (sql) => {
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${shadow} and application_name = ''`;
      if (n > 0 || run.exited() !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  });
  run.child.kill('SIGINT');
  const ended = await run.done;
  assert.is(ended.code, 130, ended.stdout + ended.stderr);
  assert.not.match(ended.stderr, /\n\s+at /, 'no stack trace');
  assert.not.match(ended.stderr, 'PgtypedLoginFailed');
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'q000.queries.ts')), 'nothing written');
});

test('Ctrl-C while the shadow database is built: one line, exit 130, dbmate\'s session ended, nothing written; the next run builds it', async () => {
  const cwd = project();
  writeFileSync(path.join(cwd, 'db', 'migrations', '20990101000000_slow.sql'), '-- migrate:up\nselect pg_sleep(20);\n\n-- migrate:down\n');
  writeFileSync(path.join(cwd, 'queries', 'only.sql'), '/* @name Only */\nSELECT 1 AS one;\n');
  const url = await createEmptyDatabase('types-shadow-ctrl-c');
  const shadow = `${new URL(url).pathname.slice(1)}_rb_shadow`;
  const dbmateOnShadow = () => withSql(url, async (sql) =>
    (await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${shadow} and application_name like 'rb dbmate%'`)[0].n);
  const run = startRb(['types'], { cwd, env: { DATABASE_URL: url } });
  for (let attempt = 0; (await dbmateOnShadow()) === 0; attempt += 1) {
    assert.ok(attempt < 600 && run.exited() === undefined, `dbmate never reached the slow migration: ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  run.child.kill('SIGINT');
  const ended = await run.done;
  assert.is(ended.code, 130, ended.stdout + ended.stderr);
  assert.is(ended.stderr, `rb: rb types stopped by SIGINT while building the shadow database ${shadow}; its migrations were stopped and nothing was written (the next run builds it again)\n`);
  assert.is(await dbmateOnShadow(), 0, 'dbmate\'s server session ended with rb');
  assert.not.ok(existsSync(path.join(cwd, 'queries', 'only.queries.ts')), 'nothing written');

  writeFileSync(path.join(cwd, 'db', 'migrations', '20990101000000_slow.sql'), '-- migrate:up\nselect pg_sleep(0);\n\n-- migrate:down\n');
  const again = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, `Rebuilt the shadow database ${shadow} from the migrations`);
});

test.run();
