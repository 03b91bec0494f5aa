import { appendFileSync, copyFileSync, cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot, withSql } from '../support/databases.ts';
import { testServer } from '../support/server.ts';
import { migration, runRb, startRb, tempProject, type RbRun } from '../support/project.ts';

// rb check only needs a server: it creates (and drops) its scratch database beside this one.
const serverDb = createEmptyDatabase(import.meta.url);
const check = async (cwd: string, ...args: string[]): Promise<RbRun> => runRb(['check', ...args], { cwd, env: { DATABASE_URL: await serverDb, RB_CHECK_VERIFY_SNAPSHOTS: '1' } });
const findingLines = (run: RbRun) => run.stdout.split('\n').filter((line) => line && !line.startsWith('rb check: '));
const summary = (run: RbRun) => run.stdout.split('\n').find((line) => line.startsWith('rb check: ')) ?? '';

/** The impact stage's warning for an ALTER TABLE that locks t with nothing slow under the lock. */
const ALTER_T_LOCK = "impact/blocking-lock: warning: ALTER TABLE takes an ACCESS EXCLUSIVE lock on public.t: reads and writes of it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)";

const createT = migration('create table t (id bigint primary key, a text);', 'drop table t;');

test('round trip: a down that forgets to drop an index is named with the index left behind', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_constrain_a.sql': migration(
      "alter table t add constraint t_a_check check (a <> '');\ncreate index t_a_idx on t (a);",
      'alter table t drop constraint t_a_check;',
    ),
    '20240101000003_add_b.sql': migration('alter table t add column b text;', 'alter table t drop column b;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    'db/migrations/20240101000002_constrain_a.sql:5: round-trip/left-behind: index public.t_a_idx was left behind',
    // The impact stage reads the same ups: the check constraint is validated and the index built while t is locked.
    'db/migrations/20240101000002_constrain_a.sql:2: impact/constraint-scan: ALTER TABLE validates check constraint t_a_check by reading every row of public.t under an ACCESS EXCLUSIVE lock: reads and writes of public.t wait until it is done; fix: add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT t_a_check in a later migration (that scan lets reads and writes through)',
    'db/migrations/20240101000002_constrain_a.sql:3: impact/non-concurrent-index: CREATE INDEX builds index t_a_idx on public.t without CONCURRENTLY under an ACCESS EXCLUSIVE lock: reads and writes of public.t wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
    `db/migrations/20240101000003_add_b.sql:2: ${ALTER_T_LOCK}`,
  ]);
  // The check rebuilt the scratch database and went on to the third migration.
  assert.match(summary(run), /^rb check: 3 migration\(s\); well-formed ok, round-trip 1 problem\(s\) \(first: 20240101000002_constrain_a\.sql\), impact 2 problem\(s\), 1 warning\(s\) \(first: 20240101000002_constrain_a\.sql\), lint skipped \(left out with --skip\), generated skipped \(left out with --skip\); 3 problem\(s\), 1 warning\(s\) \(\d+\.\d s\)$/);
  assert.is(run.stderr, 'rb: check failed: 3 problem(s); see the lines above\n');
});

test('round trip: a down that drops a column the up did not add', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_add_b.sql': migration('alter table t add column b text;', 'alter table t drop column b;\nalter table t drop column a;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    'db/migrations/20240101000002_add_b.sql:4: round-trip/missing: column public.t.a existed before the up and is gone after the down',
    `db/migrations/20240101000002_add_b.sql:2: ${ALTER_T_LOCK}`,
  ]);
});

test('round trip: a down that leaves an enum value behind', async () => {
  const cwd = tempProject({
    '20240101000001_create_mood.sql': migration("create type mood as enum ('happy', 'sad');", 'drop type mood;'),
    '20240101000002_add_angry.sql': migration("alter type mood add value 'angry';", '-- PostgreSQL cannot drop an enum value; forgot to recreate the type\nselect 1;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), ['db/migrations/20240101000002_add_angry.sql:4: round-trip/changed: type public.mood: labels changed from "happy, sad" to "happy, sad, angry"']);
});

test('round trip: a down that fails is named with its failing statement and SQLSTATE (PostgreSQL gives no position for 42701); a column default change is shown', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_remove_a.sql': migration('-- alter table t drop column a; (left for later)', 'select 1;\nalter table t add column a text;'),
    '20240101000003_default_a.sql': migration("alter table t alter column a set default 'x';", "alter table t alter column a set default 'y';"),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    // Found by running the down's statements again one by one on the scratch database.
    'db/migrations/20240101000002_remove_a.sql:6: round-trip/down-failed: the down section fails right after the up: column "a" of relation "t" already exists (SQLSTATE 42701)',
    `db/migrations/20240101000003_default_a.sql:4: round-trip/changed: column public.t.a: default changed from none to "'y'::text"`,
    `db/migrations/20240101000003_default_a.sql:2: ${ALTER_T_LOCK}`,
  ]);
});

test('lint: CREATE INDEX without CONCURRENTLY on an existing table is reported at its line; a transaction:false concurrent index passes', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_index_a.sql': migration('-- speeds up lookups by a\ncreate index t_a_idx on t (a);', 'drop index t_a_idx;'),
    '20240101000003_index_id_a.sql':
      '-- migrate:up transaction:false\ncreate index concurrently if not exists t_id_a_idx on t (id, a);\n\n' +
      '-- migrate:down transaction:false\ndrop index concurrently if exists t_id_a_idx;\n',
  });
  const run = await check(cwd, '--skip', 'generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    // The impact stage finds the same from what the up did on the scratch database (and says nothing about the concurrent one).
    'db/migrations/20240101000002_index_a.sql:3: impact/non-concurrent-index: CREATE INDEX builds index t_a_idx on public.t without CONCURRENTLY under a SHARE lock: writes to public.t wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
    'db/migrations/20240101000002_index_a.sql:3: lint/require-concurrent-index-creation: During normal index creation, table updates are blocked, but reads are still allowed (Use `concurrently` to avoid blocking writes)',
  ]);
  assert.match(summary(run), 'well-formed ok, round-trip ok (3 down(s) checked), impact 1 problem(s) (first: 20240101000002_index_a.sql), lint 1 problem(s)');
});

test('round trip: a transaction:false down that fails part-way is reported and the check goes on from a clean rebuild', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    // Its own BEGIN/COMMIT (as in openmeter's backfills): the index drop is committed before the error.
    '20240101000002_index_a.sql':
      '-- migrate:up\ncreate index t_a_idx on t (a);\n\n' +
      '-- migrate:down transaction:false\nbegin;\ndrop index t_a_idx;\ncommit;\nselect 1 / 0;\n',
    '20240101000003_create_u.sql': migration('create table u (id bigint primary key);', 'drop table u;\ndrop index t_a_idx;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    // Outside a transaction its statements cannot be run again to find the failing one: no line is printed rather than a wrong one.
    'db/migrations/20240101000002_index_a.sql: round-trip/down-failed: the down section fails right after the up: division by zero (SQLSTATE 22012) ' +
      '(position unknown: PostgreSQL reported none, and the down section (line 4) holds 4 statements)',
    // Checked on a database rebuilt through 20240101000002 (the failed down had dropped t_a_idx).
    'db/migrations/20240101000003_create_u.sql:4: round-trip/missing: index public.t_a_idx existed before the up and is gone after the down',
    'db/migrations/20240101000002_index_a.sql:2: impact/non-concurrent-index: CREATE INDEX builds index t_a_idx on public.t without CONCURRENTLY under a SHARE lock: writes to public.t wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
  ]);
});

test('lint rules are configurable in package.json "rb": {"check": {"squawkExcludedRules": [...]}}', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_index_a.sql': migration('create index t_a_idx on t (a);', 'drop index t_a_idx;'),
  });
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'p', rb: { check: { squawkExcludedRules: ['require-concurrent-index-creation', 'require-lock-timeout', 'require-statement-timeout'] } } }));
  const run = await check(cwd, '--only', 'lint');
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.equal(findingLines(run), []);

  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'p', rb: { check: { squawkExcludedRules: ['no-such-rule'] } } }));
  const unknownRule = await check(cwd, '--only', 'lint');
  assert.is(unknownRule.code, 2);
  assert.is(unknownRule.stderr, `rb: squawk refused to run: invalid value 'no-such-rule' for '--exclude <rule>': invalid rule name no-such-rule; check "rb.check.squawkExcludedRules" in package.json (rule names: https://squawkhq.com/docs/rules)\n`);

  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'p', rb: { check: { squawkExcluded: [] } } }));
  const bad = await check(cwd);
  assert.is(bad.code, 2);
  assert.is(bad.stderr, 'rb: package.json: unknown key "rb.check.squawkExcluded" (known: squawkExcludedRules, columnOrder, impactRules)\n');
});

test('well-formed: every malformed file is named with its line; irreversible needs the marker and a reason', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_two_pairs.sql': migration('alter table t add column b text;', 'alter table t drop column b;') + migration('select 1;', 'select 1;'),
    '20240101000002_same_version.sql': migration('select 1;', 'select 1;'),
    '20240101000003_no_down.sql': migration('alter table t add column c text;', ''),
    '20240101000004_drop_a.sql': migration('alter table t drop column a;', '-- rb:irreversible the column data cannot be restored'),
    '20240101000005_drop_b.sql': migration('select 1;', '-- rb:irreversible'),
    'add_thing.sql': migration('select 1;', 'select 1;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    'db/migrations/20240101000002_two_pairs.sql: well-formed/duplicate-version: version 20240101000002 is also used by 20240101000002_same_version.sql; give one of them a new version (rb new-migration makes a fresh one)',
    "db/migrations/20240101000003_no_down.sql:4: well-formed/empty-down: the down section is empty, so a rollback would silently keep the up's changes; write SQL that undoes the up, or mark the migration irreversible with a line '-- rb:irreversible <reason>' in the down section",
    "db/migrations/20240101000005_drop_b.sql:5: well-formed/irreversible-reason: '-- rb:irreversible' needs a reason after it, e.g. '-- rb:irreversible drops user data that cannot be restored'",
    'db/migrations/add_thing.sql: well-formed/file-name: not a migration file name; rename it to <version>_<name>.sql (digits, an underscore, a name), as rb new-migration writes',
  ]);
  assert.match(summary(run), 'round-trip skipped (a migration file is malformed (see well-formed); fix it first)');
});

test('well-formed: a second up/down pair is reported at its marker line', async () => {
  const cwd = tempProject({
    '20240101000001_two_pairs.sql': migration('create table t (id int);', 'drop table t;') + migration('select 1;', 'select 1;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 1);
  assert.equal(findingLines(run), [
    "db/migrations/20240101000001_two_pairs.sql:6: well-formed/sections: a second '-- migrate:up' marker; a file holds one up and one down section, so move this change to a new migration",
  ]);
});

test('an irreversible migration is applied but its down is not round-tripped; the rest are', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_drop_a.sql': migration('alter table t drop column a;', '-- rb:irreversible the column data cannot be restored'),
    '20240101000003_add_b.sql': migration('alter table t add column b text;', 'alter table t drop column b;'),
  });
  const run = await check(cwd, '--skip', 'lint,generated');
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.match(summary(run), 'well-formed ok, round-trip ok (2 down(s) checked)');
});

test('generated: a stale db/schema.sql is named at its first differing line; the expected file fixes it', async () => {
  const cwd = tempProject({ '20240101000001_create_t.sql': createT });
  const missing = await check(cwd, '--skip', 'lint');
  assert.is(missing.code, 1);
  assert.equal(findingLines(missing), [
    'db/schema.sql: generated/schema-file: missing; commit the schema the migrations produce (written to .rb/check/schema.sql: cp .rb/check/schema.sql db/schema.sql)',
  ]);
  copyFileSync(path.join(cwd, '.rb', 'check', 'schema.sql'), path.join(cwd, 'db', 'schema.sql'));
  const current = await check(cwd, '--skip', 'lint');
  assert.is(current.code, 0, current.stdout + current.stderr);

  writeFileSync(path.join(cwd, 'db', 'migrations', '20240101000002_add_b.sql'), migration('alter table t add column b text;', 'alter table t drop column b;'));
  const stale = await check(cwd, '--skip', 'lint');
  assert.is(stale.code, 1);
  const [warning, line, ...more] = findingLines(stale);
  assert.is(warning, `db/migrations/20240101000002_add_b.sql:2: ${ALTER_T_LOCK}`);
  assert.equal(more, []);
  assert.match(line, /^db\/schema\.sql:\d+: generated\/schema-file: out of date with the migrations \(expected "    a text,", found "    a text"\); the schema the migrations produce is in \.rb\/check\/schema\.sql: cp \.rb\/check\/schema\.sql db\/schema\.sql, or run rb upgrade on a fresh local database$/);
});

test('generated: db/schema.sql is compared with a clean migration even after a down left the schema different', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': migration('create table t (id bigint primary key, a text, b text);', 'drop table t;'),
    // The down also sets a default the up never touched; re-applying the up keeps it, so the
    // scratch database is no longer what a clean migration gives.
    '20240101000002_add_d.sql': migration('alter table t add column d text;', "alter table t drop column d;\nalter table t alter column b set default 'x';"),
    '20240101000003_add_c.sql': migration('alter table t add column c text;', 'alter table t drop column c;'),
  });
  // Without the round trip the scratch database is migrated in one go: the clean schema.
  const first = await check(cwd, '--skip', 'lint,round-trip');
  assert.is(first.code, 1);
  copyFileSync(path.join(cwd, '.rb', 'check', 'schema.sql'), path.join(cwd, 'db', 'schema.sql'));
  const run = await check(cwd, '--skip', 'lint');
  assert.is(run.code, 1);
  assert.equal(findingLines(run), [
    `db/migrations/20240101000002_add_d.sql:4: round-trip/changed: column public.t.b: default changed from none to "'x'::text"`,
    `db/migrations/20240101000002_add_d.sql:2: ${ALTER_T_LOCK}`,
    `db/migrations/20240101000003_add_c.sql:2: ${ALTER_T_LOCK}`,
  ]);
  assert.match(summary(run), 'round-trip 1 problem(s) (first: 20240101000002_add_d.sql), impact ok (3 up(s) read, 2 warning(s)), lint skipped (left out with --skip), generated ok;');
});

test('generated: stale query types are reported the way rb types --check sees them', async () => {
  const cwd = tempProject();
  for (const item of ['db', 'queries', 'pgtyped.config.json', 'package.json']) cpSync(path.join(repoRoot, item), path.join(cwd, item), { recursive: true });
  const current = await check(cwd);
  assert.is(current.code, 0, current.stdout + current.stderr);
  appendFileSync(path.join(cwd, 'queries', 'user.queries.ts'), '// edited by hand\n');
  const stale = await check(cwd);
  assert.is(stale.code, 1);
  assert.equal(findingLines(stale), [
    'queries/user.queries.ts: generated/query-types: out of date: it differs from what rb types generates from queries/user.sql; run rb types and commit the result',
  ]);
});

test('--json prints one object with every finding, the stages and ok:false', async () => {
  const cwd = tempProject({
    '20240101000001_create_t.sql': createT,
    '20240101000002_index_a.sql': migration('create index t_a_idx on t (a);', 'select 1;'),
  });
  const run = await check(cwd, '--json', '--skip', 'generated');
  assert.is(run.code, 1);
  const result = JSON.parse(run.stdout);
  assert.is(result.ok, false);
  assert.is(result.migrations, 2);
  assert.equal(result.stages, {
    'well-formed': { status: 'passed' },
    'round-trip': { status: 'failed', findings: 1 },
    impact: { status: 'failed', findings: 1 },
    lint: { status: 'failed', findings: 1 },
    generated: { status: 'skipped', reason: 'left out with --skip' },
  });
  assert.equal(result.findings[0], {
    stage: 'round-trip', rule: 'left-behind', file: 'db/migrations/20240101000002_index_a.sql', line: 4,
    message: 'index public.t_a_idx was left behind',
    text: 'db/migrations/20240101000002_index_a.sql:4: round-trip/left-behind: index public.t_a_idx was left behind', severity: 'error',
  });
  assert.equal(result.findings[1], {
    stage: 'impact', rule: 'non-concurrent-index', file: 'db/migrations/20240101000002_index_a.sql', line: 2, severity: 'error',
    message: 'CREATE INDEX builds index t_a_idx on public.t without CONCURRENTLY under a SHARE lock: writes to public.t wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
    text: 'db/migrations/20240101000002_index_a.sql:2: impact/non-concurrent-index: CREATE INDEX builds index t_a_idx on public.t without CONCURRENTLY under a SHARE lock: writes to public.t wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
  });
  assert.is(result.findings[2].rule, 'require-concurrent-index-creation');
  assert.is(result.findings[2].line, 2);
});

test("the repository's own db/migrations pass rb check, and no scratch database is left on the server", async () => {
  const run = await check(repoRoot);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^rb check: 3 migration\(s\); well-formed ok, round-trip ok \(3 down\(s\) checked\), impact ok \(3 up\(s\) read\), lint ok, generated ok; no problems \(\d+\.\d s\)\n$/);
  const left = await withSql((await testServer()).adminUrl, async (sql) => (await sql`select datname from pg_database where datname like 'rb_check_%'`).length);
  assert.is(left, 0);
});

test('rb check refuses --prod and unknown --skip stages', async () => {
  const cwd = tempProject({ '20240101000001_create_t.sql': createT });
  const prod = await check(cwd, '--prod');
  assert.is(prod.code, 2);
  assert.is(prod.stderr, 'rb: rb check never touches production: it works on a scratch database; drop --prod\n');
  const skip = await check(cwd, '--skip', 'lnt');
  assert.is(skip.code, 2);
  assert.is(skip.stderr, 'rb: --skip lnt: unknown stage; use a comma-separated list of well-formed, round-trip, impact, lint, generated\n');
  assert.not.ok(existsSync(path.join(cwd, '.rb', 'check')));
});

test('SIGTERM (or Ctrl-C) stops rb check after the current step and drops its scratch database', async () => {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 60; i++) {
    // A short sleep in each up: the whole check lasts seconds, so the signal always lands mid-way however fast the steps are.
    files[`202401010000${String(i).padStart(2, '0')}_t${i}.sql`] = migration(`select pg_sleep(0.05);\ncreate table t${i} (id int);`, `drop table t${i};`);
  }
  const cwd = tempProject(files);
  const url = await serverDb;
  const scratchDatabases = () =>
    withSql(url, async (sql) => (await sql`select datname from pg_database where datname like 'rb\\_check\\_%'`).map((r) => r.datname as string));
  const before = await scratchDatabases();
  const check = startRb(['check', '--skip', 'lint'], { cwd, env: { DATABASE_URL: url } });
  // Wait until the round trip is under way (its scratch database exists), then stop it.
  const deadline = Date.now() + 20_000;
  while ((await scratchDatabases()).length <= before.length) {
    assert.ok(Date.now() < deadline, 'rb check never created its scratch database');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  check.child.kill('SIGTERM');
  const { code, stderr } = await check.done;
  assert.is(code, 143, stderr);
  assert.is(stderr, 'rb: rb check stopped by SIGTERM; its scratch database was dropped, nothing else was changed\n');
  assert.equal(await scratchDatabases(), before);
});

test.run();
