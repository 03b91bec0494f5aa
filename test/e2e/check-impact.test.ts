import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase } from '../support/databases.ts';
import { migration, runRb, tempProject, type RbRun } from '../support/project.ts';

// rb check's impact stage, progress lines, column order and what runs through dbmate. Every run
// compares each incremental schema snapshot with a full one (a difference exits 70).
const serverDb = createEmptyDatabase(import.meta.url);
const check = async (cwd: string, args: string[], env: Record<string, string> = {}): Promise<RbRun> =>
  runRb(['check', ...args], { cwd, env: { DATABASE_URL: await serverDb, RB_CHECK_VERIFY_SNAPSHOTS: '1', ...env } });
const findingLines = (run: RbRun) => run.stdout.split('\n').filter((line) => line && !line.startsWith('rb check: '));
const summary = (run: RbRun) => run.stdout.split('\n').find((line) => line.startsWith('rb check: ')) ?? '';
const setCheckConfig = (cwd: string, check: unknown) => writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'p', rb: { check } }));

/** Three tables with rows, existing before the migrations the tests look at. */
const createTables = migration(
  [
    'create table accounts (id bigint primary key, email text, n int);',
    'create table orders (id bigint primary key, account_id bigint);',
    'create table items (id bigint primary key, v text);',
    "insert into accounts select g, 'a' || g, g from generate_series(1, 100) g;",
    'insert into orders select g, g from generate_series(1, 100) g;',
    "insert into items select g, 'v' || g from generate_series(1, 100) g;",
  ].join('\n'),
  'drop table items, orders, accounts;',
);

const unsafeMigrations = {
  '20240101000001_create.sql': createTables,
  '20240101000002_lock.sql': migration('-- quick, but under ACCESS EXCLUSIVE\nalter table accounts add column note text;', 'alter table accounts drop column note;'),
  '20240101000003_retype.sql': migration('alter table accounts alter column n type bigint;', 'alter table accounts alter column n type int;'),
  '20240101000004_index.sql': migration('create index orders_account_idx on orders (account_id);', 'drop index orders_account_idx;'),
  '20240101000005_fk.sql': migration('alter table orders add constraint orders_account_fk foreign key (account_id) references accounts (id);', 'alter table orders drop constraint orders_account_fk;'),
  '20240101000006_not_null.sql': migration('select 1;\nalter table items alter column v set not null;', 'alter table items alter column v drop not null;'),
};

const LOCK_WARNING = "impact/blocking-lock: warning: ALTER TABLE takes an ACCESS EXCLUSIVE lock on public.accounts: reads and writes of it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)";
const UNSAFE_FINDINGS = [
  `db/migrations/20240101000002_lock.sql:3: ${LOCK_WARNING}`,
  'db/migrations/20240101000003_retype.sql:2: impact/type-change-rewrite: ALTER TABLE rewrites public.accounts to change the type of n from integer to bigint under an ACCESS EXCLUSIVE lock: reads and writes of public.accounts wait until the whole table is copied; fix: add a column of the new type, backfill it in batches (rb run-script), then switch to it and drop the old one',
  'db/migrations/20240101000004_index.sql:2: impact/non-concurrent-index: CREATE INDEX builds index orders_account_idx on public.orders without CONCURRENTLY under a SHARE lock: writes to public.orders wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
  'db/migrations/20240101000005_fk.sql:2: impact/constraint-scan: ALTER TABLE validates foreign key orders_account_fk by reading every row of public.orders (and looks each one up in public.accounts, locked too) under a SHARE ROW EXCLUSIVE lock: writes to public.orders wait until it is done; fix: add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT orders_account_fk in a later migration (that scan lets reads and writes through)',
  'db/migrations/20240101000006_not_null.sql:3: impact/not-null-scan: ALTER TABLE sets NOT NULL on public.items (v) by reading every row under an ACCESS EXCLUSIVE lock: reads and writes of public.items wait until it is done; fix: add CHECK (v IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration, then SET NOT NULL (PostgreSQL 12+ then skips the scan) and drop the check',
];

test('impact: ACCESS EXCLUSIVE, a rewrite, a plain index, a validated foreign key and a NOT NULL scan on existing tables are found at their statement with the fix; --json says "stage": "impact"', async () => {
  const cwd = tempProject(unsafeMigrations);
  const run = await check(cwd, ['--skip', 'lint,generated']);
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), UNSAFE_FINDINGS);
  assert.match(summary(run), /^rb check: 6 migration\(s\); well-formed ok, round-trip ok \(6 down\(s\) checked\), impact 4 problem\(s\), 1 warning\(s\) \(first: 20240101000003_retype\.sql\), lint skipped \(left out with --skip\), generated skipped \(left out with --skip\); 4 problem\(s\), 1 warning\(s\) \(\d+\.\d s\)$/);
  assert.is(run.stderr, 'rb: check failed: 4 problem(s); see the lines above\n');

  const json = await check(cwd, ['--json', '--only', 'impact']);
  assert.is(json.code, 1);
  const result = JSON.parse(json.stdout);
  assert.is(result.ok, false);
  assert.equal(result.stages.impact, { status: 'failed', findings: 4, warnings: 1 });
  assert.equal(result.stages['round-trip'], { status: 'skipped', reason: 'not in --only' });
  assert.is(json.stderr, 'rb: check failed: 4 problem(s); see the findings in the JSON output\n');
  assert.equal(result.findings.map((f: { text: string }) => f.text), UNSAFE_FINDINGS);
  assert.equal(result.findings[2], {
    stage: 'impact', rule: 'non-concurrent-index', file: 'db/migrations/20240101000004_index.sql', line: 2, severity: 'error',
    message: UNSAFE_FINDINGS[2].replace(/^.*?impact\/non-concurrent-index: /, ''), text: UNSAFE_FINDINGS[2],
  });
  assert.is(result.findings[0].severity, 'warning');
  assert.is(result.impactChecked, 6);
  // Per migration, the strongest lock on each table that existed before it and what it blocks.
  assert.equal(result.impact.find((i: { file: string }) => i.file === 'db/migrations/20240101000005_fk.sql'), {
    file: 'db/migrations/20240101000005_fk.sql',
    locks: [
      { relation: 'public.accounts', mode: 'SHARE ROW EXCLUSIVE', blocks: 'writes', line: 2 },
      { relation: 'public.orders', mode: 'SHARE ROW EXCLUSIVE', blocks: 'writes', line: 2 },
    ],
  });

  const skipped = await check(cwd, ['--skip', 'impact,lint,generated']);
  assert.is(skipped.code, 0, skipped.stdout + skipped.stderr);
  assert.equal(findingLines(skipped), []);
  assert.match(summary(skipped), 'round-trip ok (6 down(s) checked), impact skipped (left out with --skip), lint skipped');
});

test('impact: the safe variant of each gives no finding (CONCURRENTLY in a transaction:false file, NOT VALID then VALIDATE, CHECK NOT VALID before SET NOT NULL, tables created in the same migration)', async () => {
  const cwd = tempProject({
    '20240101000001_create.sql': createTables,
    '20240101000002_index_concurrently.sql':
      '-- migrate:up transaction:false\ncreate index concurrently orders_account_idx on orders (account_id);\n\n' +
      '-- migrate:down transaction:false\ndrop index concurrently orders_account_idx;\n',
    '20240101000003_fk_not_valid.sql': migration('alter table orders add constraint orders_account_fk foreign key (account_id) references accounts (id) not valid;', 'alter table orders drop constraint orders_account_fk;'),
    '20240101000004_validate_fk.sql': migration(
      'alter table orders validate constraint orders_account_fk;',
      'alter table orders drop constraint orders_account_fk;\nalter table orders add constraint orders_account_fk foreign key (account_id) references accounts (id) not valid;',
    ),
    '20240101000005_check_not_valid.sql': migration('alter table items add constraint items_v_not_null check (v is not null) not valid;', 'alter table items drop constraint items_v_not_null;'),
    '20240101000006_validate_check.sql': migration(
      'alter table items validate constraint items_v_not_null;',
      'alter table items drop constraint items_v_not_null;\nalter table items add constraint items_v_not_null check (v is not null) not valid;',
    ),
    '20240101000007_set_not_null.sql': migration(
      'alter table items alter column v set not null;\nalter table items drop constraint items_v_not_null;',
      'alter table items add constraint items_v_not_null check (v is not null);\nalter table items alter column v drop not null;',
    ),
    '20240101000008_new_tables.sql': migration(
      [
        'create table tags (id bigint primary key, name text);',
        "insert into tags values (1, 'x');",
        'create index tags_name_idx on tags (name);',
        'alter table tags alter column name type varchar(50);',
        'alter table tags alter column name set not null;',
        'create table order_tags (order_id bigint, tag_id bigint);',
        'alter table order_tags add constraint order_tags_tag_fk foreign key (tag_id) references tags (id);',
      ].join('\n'),
      'drop table order_tags, tags;',
    ),
  });
  const run = await check(cwd, ['--skip', 'lint,generated']);
  assert.is(run.code, 0, run.stdout + run.stderr);
  // ALTER TABLE ... ADD CONSTRAINT CHECK and SET NOT NULL take ACCESS EXCLUSIVE however they are
  // written: a warning (PostgreSQL needs it), with nothing slow under it: no scan, no error.
  assert.equal(findingLines(run), [
    "db/migrations/20240101000005_check_not_valid.sql:2: impact/blocking-lock: warning: ALTER TABLE takes an ACCESS EXCLUSIVE lock on public.items: reads and writes of it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)",
    "db/migrations/20240101000007_set_not_null.sql:2: impact/blocking-lock: warning: ALTER TABLE takes an ACCESS EXCLUSIVE lock on public.items: reads and writes of it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)",
  ]);
  // The transaction:false up is not read (it runs through dbmate, outside a transaction): 7 of 8.
  assert.match(summary(run), /^rb check: 8 migration\(s\); well-formed ok, round-trip ok \(8 down\(s\) checked\), impact ok \(7 up\(s\) read, 2 warning\(s\)\), lint skipped \(left out with --skip\), generated skipped \(left out with --skip\); no problems, 2 warning\(s\) \(\d+\.\d s\)$/);
  assert.is(run.stderr, '');
});

test('impact rules are configurable in package.json "rb": {"check": {"impactRules": {...}}} like the lint rules', async () => {
  const cwd = tempProject(unsafeMigrations);
  setCheckConfig(cwd, { impactRules: { 'non-concurrent-index': 'warning', 'type-change-rewrite': 'off', 'not-null-scan': 'off', 'constraint-scan': 'off', 'blocking-lock': 'error' } });
  const run = await check(cwd, ['--only', 'impact']);
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    UNSAFE_FINDINGS[0].replace('impact/blocking-lock: warning: ', 'impact/blocking-lock: '),
    UNSAFE_FINDINGS[2].replace('impact/non-concurrent-index: ', 'impact/non-concurrent-index: warning: '),
  ]);
  assert.is(run.stderr, 'rb: check failed: 1 problem(s); see the lines above\n');

  setCheckConfig(cwd, { impactRules: { 'blocking-lock': 'off', 'non-concurrent-index': 'off', 'type-change-rewrite': 'off', 'not-null-scan': 'off', 'constraint-scan': 'off' } });
  const quiet = await check(cwd, ['--only', 'impact']);
  assert.is(quiet.code, 0, quiet.stdout + quiet.stderr);
  assert.equal(findingLines(quiet), []);

  setCheckConfig(cwd, { impactRules: { 'no-such-rule': 'off', 'non-concurrent-indx': 'off' } });
  const unknown = await check(cwd, ['--only', 'impact']);
  assert.is(unknown.code, 2);
  assert.is(unknown.stderr, 'rb: package.json: "rb.check.impactRules" names unknown rule(s) no-such-rule, non-concurrent-indx (did you mean non-concurrent-index?); the impact rules are table-rewrite, type-change-rewrite, non-concurrent-index, constraint-scan, not-null-scan, scan-under-lock, lock-held-during-scan, data-change, blocking-lock\n');

  setCheckConfig(cwd, { impactRules: { 'blocking-lock': 'loud' } });
  const level = await check(cwd, ['--only', 'impact']);
  assert.is(level.code, 2);
  assert.is(level.stderr, 'rb: package.json: "rb.check.impactRules" must map rule names to "error", "warning", "off", e.g. {"blocking-lock": "error"}\n');
});

/** An app schema with rows: users, orders with a CHECK, a view and a materialized view over orders. */
const createApp = migration(
  [
    'create schema app;',
    'create table app.users (id bigint primary key);',
    'create table app.orders (id bigint primary key, amount numeric(10,2) constraint orders_amount_positive check (amount > 0), currency text);',
    "create table app.items (id bigint primary key, v varchar(10) constraint items_v_set check (v <> ''));",
    'insert into app.users select g from generate_series(1, 100) g;',
    'insert into app.orders select g, g, null from generate_series(1, 100) g;',
    "insert into app.items select g, 'v' || g from generate_series(1, 100) g;",
    'create view app.order_totals as select sum(amount) as total from app.orders;',
    'create materialized view app.order_stats as select currency, count(*) as n from app.orders group by currency;',
  ].join('\n'),
  'drop schema app cascade;',
);
const VIEW = 'create view app.order_totals as select sum(amount) as total from app.orders;';
const warnLock = (file: string, line: number, statement: string, relation: string) =>
  `db/migrations/${file}:${line}: impact/blocking-lock: warning: ${statement} takes an ACCESS EXCLUSIVE lock on ${relation}: reads and writes of it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)`;

test('impact judges what PostgreSQL did: an inline foreign key on a new column is not validated, a rewrite recreates its CHECK, TRUNCATE copies nothing, a dropped view is not a lock held during the rewrite', async () => {
  const cwd = tempProject({
    '20240101000001_app.sql': createApp,
    // A new column without a default is all NULL: PostgreSQL creates the foreign key valid without reading the table.
    '20240101000002_inline_fk.sql': migration('alter table app.orders add column approver_id bigint references app.users (id);', 'alter table app.orders drop column approver_id;'),
    // With a default it is validated (the check query reads every row), as is an inline CHECK on a new column.
    '20240101000003_inline_fk_default.sql': migration('alter table app.orders add column reviewer_id bigint default 1 references app.users (id);', 'alter table app.orders drop column reviewer_id;'),
    '20240101000004_inline_check.sql': migration('alter table app.orders add column discount numeric check (discount >= 0);', 'alter table app.orders drop column discount;'),
    '20240101000005_retype.sql': migration(
      `drop view app.order_totals;\nalter table app.orders alter column amount type numeric(12,4);\n${VIEW}`,
      `drop view app.order_totals;\nalter table app.orders alter column amount type numeric(10,2);\n${VIEW}`,
    ),
    '20240101000006_truncate.sql': migration('truncate app.users cascade;', 'select 1;'),
    // A wider varchar keeps the storage, but PostgreSQL recreates the CHECK and reads every row to check it again.
    '20240101000007_widen.sql': migration('alter table app.items alter column v type varchar(20);', 'alter table app.items alter column v type varchar(10);'),
  });
  const run = await check(cwd, ['--only', 'impact']);
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    warnLock('20240101000002_inline_fk.sql', 2, 'ALTER TABLE', 'app.orders'),
    'db/migrations/20240101000003_inline_fk_default.sql:2: impact/constraint-scan: ALTER TABLE validates foreign key orders_reviewer_id_fkey by reading every row of app.orders (and looks each one up in app.users, locked too) under an ACCESS EXCLUSIVE lock: reads and writes of app.orders wait until it is done; fix: add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT orders_reviewer_id_fkey in a later migration (that scan lets reads and writes through)',
    'db/migrations/20240101000004_inline_check.sql:2: impact/constraint-scan: ALTER TABLE validates check constraint orders_discount_check by reading every row of app.orders under an ACCESS EXCLUSIVE lock: reads and writes of app.orders wait until it is done; fix: add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT orders_discount_check in a later migration (that scan lets reads and writes through)',
    'db/migrations/20240101000005_retype.sql:3: impact/type-change-rewrite: ALTER TABLE rewrites app.orders to change the type of amount from numeric(10,2) to numeric(12,4) under an ACCESS EXCLUSIVE lock: reads and writes of app.orders wait until the whole table is copied; fix: add a column of the new type, backfill it in batches (rb run-script), then switch to it and drop the old one',
    warnLock('20240101000006_truncate.sql', 2, 'TRUNCATE', 'app.orders'),
    warnLock('20240101000006_truncate.sql', 2, 'TRUNCATE', 'app.users'),
    'db/migrations/20240101000007_widen.sql:2: impact/constraint-scan: ALTER TABLE recreates check constraint items_v_set and checks it again by reading every row of app.items under an ACCESS EXCLUSIVE lock: reads and writes of app.items wait until it is done; fix: drop items_v_set before the change and add it back NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT items_v_set in a later migration (that scan lets reads and writes through)',
  ]);
  assert.is(run.stderr, 'rb: check failed: 4 problem(s); see the lines above\n');
});

test('impact: UPDATE/DELETE of an existing table is a data-change warning (the changed rows stay locked until commit), scan-under-lock alone under a blocking lock; INSERT ... SELECT and tables created in the same migration are not', async () => {
  const cwd = tempProject({
    '20240101000001_app.sql': createApp,
    '20240101000002_backfill.sql': migration("update app.orders set currency = 'EUR' where currency is null;", "update app.orders set currency = null where currency = 'EUR';"),
    '20240101000003_delete.sql': migration('delete from app.items where id > 90;', 'select 1;'),
    '20240101000004_copy.sql': migration('insert into app.users select g from generate_series(101, 110) g;\ninsert into app.items (id, v) select u.id + 1000, null from app.users u;', 'delete from app.items where id > 1000;\ndelete from app.users where id > 100;'),
    '20240101000005_under_lock.sql': migration('alter table app.items add column flag boolean;\nupdate app.items set flag = true;', 'alter table app.items drop column flag;'),
    '20240101000007_with.sql': migration(
      'with locked as (select id from app.users for update) select count(*) from locked;\nwith moved as (update app.users set id = id where id > 105 returning id) select count(*) from moved;',
      'select 1;',
    ),
    '20240101000006_new_table.sql': migration('create table app.notes (id int);\ninsert into app.notes values (1);\nupdate app.notes set id = 2;\ndelete from app.notes;', 'drop table app.notes;'),
  });
  const run = await check(cwd, ['--json', '--only', 'impact']);
  assert.is(run.code, 1, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.findings.map((f: { text: string }) => f.text), [
    'db/migrations/20240101000002_backfill.sql:2: impact/data-change: warning: UPDATE changes rows of app.orders inside the migration\'s transaction: each row it changes stays locked until the migration commits (concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows wait), and on a big table it is a long transaction and a lot of WAL; fix: for a large table, a batched backfill with rb run-script (each batch commits on its own; see README "Backfills")',
    'db/migrations/20240101000003_delete.sql:2: impact/data-change: warning: DELETE changes rows of app.items inside the migration\'s transaction: each row it changes stays locked until the migration commits (concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows wait), and on a big table it is a long transaction and a lot of WAL; fix: for a large table, a batched backfill with rb run-script (each batch commits on its own; see README "Backfills")',
    'db/migrations/20240101000005_under_lock.sql:3: impact/scan-under-lock: UPDATE writes rows of app.items while the migration holds an ACCESS EXCLUSIVE lock on it (taken at line 2): reads and writes of app.items wait until it is done (on a big table, minutes); fix: move it to a migration of its own, or make it a batched backfill (rb run-script), so the lock is not held meanwhile',
    'db/migrations/20240101000007_with.sql:3: impact/data-change: warning: WITH changes rows of app.users inside the migration\'s transaction: each row it changes stays locked until the migration commits (concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows wait), and on a big table it is a long transaction and a lot of WAL; fix: for a large table, a batched backfill with rb run-script (each batch commits on its own; see README "Backfills")',
  ]);
  assert.equal(result.stages.impact, { status: 'failed', findings: 1, warnings: 3 });
  // The lock summary: an UPDATE's ROW EXCLUSIVE blocks no one, but writers of the rows it changed wait.
  assert.equal(result.impact.find((i: { file: string }) => i.file.includes('backfill')), {
    file: 'db/migrations/20240101000002_backfill.sql',
    locks: [{ relation: 'app.orders', mode: 'ROW EXCLUSIVE', blocks: 'writes of the changed rows', line: 2 }],
  });
  assert.equal(result.impact.find((i: { file: string }) => i.file.includes('copy')).locks, [
    { relation: 'app.users', mode: 'ROW EXCLUSIVE', blocks: 'nothing', line: 2 },
    { relation: 'app.items', mode: 'ROW EXCLUSIVE', blocks: 'nothing', line: 3 },
  ]);

  setCheckConfig(cwd, { impactRules: { 'data-change': 'error', 'scan-under-lock': 'off' } });
  const strict = await check(cwd, ['--only', 'impact']);
  assert.is(strict.code, 1);
  assert.equal(findingLines(strict), result.findings.map((f: { text: string }) => f.text).filter((t: string) => t.includes('impact/data-change: ')).map((t: string) => t.replace('impact/data-change: warning: ', 'impact/data-change: ')));
  assert.is(strict.stderr, 'rb: check failed: 3 problem(s); see the lines above\n');
});

test('impact: REFRESH MATERIALIZED VIEW gets CONCURRENTLY as its fix (no transaction:false file), a rewrite names generated stored and identity columns among its causes', async () => {
  const cwd = tempProject({
    '20240101000001_app.sql': createApp,
    '20240101000002_refresh.sql': migration('refresh materialized view app.order_stats;', 'select 1;'),
    '20240101000003_generated.sql': migration('alter table app.items add column v_length int generated always as (length(v)) stored;', 'alter table app.items drop column v_length;'),
  });
  const run = await check(cwd, ['--only', 'impact']);
  assert.is(run.code, 1, run.stderr);
  assert.equal(findingLines(run), [
    'db/migrations/20240101000002_refresh.sql:2: impact/table-rewrite: REFRESH MATERIALIZED VIEW refills app.order_stats into new storage under an ACCESS EXCLUSIVE lock: reads of app.order_stats wait until it is refilled; fix: REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view, and lets reads through while it refreshes)',
    'db/migrations/20240101000003_generated.sql:2: impact/table-rewrite: ALTER TABLE rewrites app.items into new storage under an ACCESS EXCLUSIVE lock: reads and writes of app.items wait until the whole table is copied; fix: find what forces the copy (a volatile DEFAULT such as gen_random_uuid() or clock_timestamp(), a GENERATED ... STORED column, an identity column, SET LOGGED/UNLOGGED, SET TABLESPACE) and do it in steps: add a plain column, then backfill it in batches (rb run-script)',
  ]);
});

test('progress: without a terminal, a line every RB_PROGRESS_SECONDS on stderr (migration i of n, stage); --json stdout stays one object', async () => {
  const cwd = tempProject({
    '20240101000001_create.sql': migration('create table t (id int);', 'drop table t;'),
    '20240101000002_slow.sql': migration('select pg_sleep(0.5);\ncreate table u (id int);', 'drop table u;'),
  });
  const run = await check(cwd, ['--json', '--skip', 'lint,generated'], { RB_PROGRESS_SECONDS: '0.1' });
  assert.is(run.code, 0, run.stderr);
  assert.is(JSON.parse(run.stdout).ok, true);
  const lines = run.stderr.split('\n').filter(Boolean);
  assert.ok(lines.length >= 3, run.stderr);
  // Elapsed time at the end; the stage before the migrations is the scratch database's creation.
  for (const line of lines) assert.match(line, /^rb check: (scratch database|round-trip and impact: migration [12] of 2 \(2024010100000[12]_(create|slow)\.sql\)) \(\d+s\)$/);
  assert.ok(lines.some((l) => l.startsWith('rb check: round-trip and impact: migration 2 of 2 (20240101000002_slow.sql) (')), run.stderr);
  // Lines come per interval, not per step: a long interval prints nothing on a run this short.
  const quiet = await check(cwd, ['--json', '--skip', 'lint,generated'], { RB_PROGRESS_SECONDS: '3600' });
  assert.is(quiet.stderr, '');
});

test('column order: a down that re-adds a column at the end is a warning (exit 0) by default, an error when "rb.check.columnOrder" is "error"', async () => {
  const cwd = tempProject({
    '20240101000001_create.sql': migration('create table t (id int, a text, b text);', 'drop table t;'),
    '20240101000002_drop_a.sql': migration('alter table t drop column a;', 'alter table t add column a text;'),
  });
  const COLUMN_ORDER = 'db/migrations/20240101000002_drop_a.sql:4: round-trip/column-order: warning: table public.t: column order changed (a from position 2 to 3)';
  const run = await check(cwd, ['--skip', 'impact,lint,generated']);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.equal(findingLines(run), [COLUMN_ORDER]);
  assert.match(summary(run), 'round-trip ok (2 down(s) checked, 1 warning(s))');

  setCheckConfig(cwd, { columnOrder: 'error' });
  const strict = await check(cwd, ['--skip', 'impact,lint,generated']);
  assert.is(strict.code, 1);
  assert.equal(findingLines(strict), [COLUMN_ORDER.replace('column-order: warning: ', 'column-order: ')]);

  setCheckConfig(cwd, { columnOrder: 'off' });
  const off = await check(cwd, ['--skip', 'impact,lint,generated']);
  assert.is(off.code, 0);
  assert.equal(findingLines(off), []);

  setCheckConfig(cwd, { columnOrder: 'sometimes' });
  const bad = await check(cwd, ['--skip', 'impact,lint,generated']);
  assert.is(bad.code, 2);
  assert.is(bad.stderr, 'rb: package.json: "rb.check.columnOrder" must be one of "error", "warning", "off"\n');
});

test("a transaction:false file goes through dbmate (not rb's session) and dbmate's tracking rows are kept around rb's own steps", async () => {
  // Each section asserts where it runs and which versions dbmate's table holds at that moment.
  // (One statement: a transaction:false section holds one, see well-formed.)
  const expect = (app: string, versions: string, then = '') =>
    `do $$ begin\n  if current_setting('application_name') ${app} or (select string_agg(version, ',' order by version) from public.schema_migrations) is distinct from ${versions} then\n` +
    `    raise exception 'application %, versions %', current_setting('application_name'), (select string_agg(version, ',' order by version) from public.schema_migrations);\n  end if;\n${then}end $$;`;
  const cwd = tempProject({
    '20240101000001_create.sql': migration(`${expect("<> 'rb check migrations'", 'null')}\ncreate table t (id int);`, `${expect("<> 'rb check migrations'", "'20240101000001'")}\ndrop table t;`),
    '20240101000002_standalone.sql':
      `-- migrate:up transaction:false\n${expect("= 'rb check migrations'", "'20240101000001'", "  create index t_id_idx on t (id);\n")}\n\n` +
      `-- migrate:down transaction:false\n${expect("= 'rb check migrations'", "'20240101000001,20240101000002'", "  drop index t_id_idx;\n")}\n`,
    '20240101000003_add_a.sql': migration(
      `${expect("<> 'rb check migrations'", "'20240101000001,20240101000002'")}\nalter table t add column a text;`,
      `${expect("<> 'rb check migrations'", "'20240101000001,20240101000002,20240101000003'")}\nalter table t drop column a;`,
    ),
  });
  const run = await check(cwd, ['--json', '--skip', 'lint,generated']);
  assert.is(run.code, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.stages['round-trip'], { status: 'passed' });
  assert.is(result.roundTripChecked, 3);
  assert.equal(result.impact.find((i: { file: string }) => i.file.includes('standalone')), {
    file: 'db/migrations/20240101000002_standalone.sql', skipped: 'transaction:false: it runs outside a transaction, through dbmate',
  });
});

test('incremental snapshots follow renames: tables, columns, types, functions, constraints and indexes renamed or moved to another schema compare equal to full snapshots', async () => {
  const cwd = tempProject({
    '20240101000001_base.sql': migration(
      [
        "create type mood as enum ('a', 'b');",
        'create table t (id bigint primary key, a text, m mood);',
        'create table u (id bigint primary key, t_id bigint references t (id), b text);',
        'create view v as select t.id, t.a, u.b from t join u on u.t_id = t.id;',
        'create function f() returns trigger language plpgsql as $$ begin return new; end $$;',
        'create trigger trg before insert on u for each row execute function f();',
        'create index u_b_idx on u (b);',
        'create function g(x t) returns bigint language sql return x.id;',
      ].join('\n'),
      'drop function g(t);\ndrop view v;\ndrop table u;\ndrop table t;\ndrop function f();\ndrop type mood;',
    ),
    '20240101000002_rename_t.sql': migration('alter table t rename to t2;', 'alter table t2 rename to t;'),
    '20240101000003_rename_a.sql': migration('alter table t2 rename column a to aa;', 'alter table t2 rename column aa to a;'),
    '20240101000004_rename_type.sql': migration('alter type mood rename to feeling;', 'alter type feeling rename to mood;'),
    '20240101000005_schema.sql': migration('create schema s2;\nalter table u set schema s2;', 'alter table s2.u set schema public;\ndrop schema s2;'),
    '20240101000006_rename_f.sql': migration('alter function f() rename to f2;', 'alter function f2() rename to f;'),
    '20240101000007_rename_more.sql': migration(
      'alter index s2.u_b_idx rename to u_b_idx2;\nalter table s2.u rename constraint u_t_id_fkey to u_t_fk;\nalter table t2 rename column id to ident;',
      'alter index s2.u_b_idx2 rename to u_b_idx;\nalter table s2.u rename constraint u_t_fk to u_t_id_fkey;\nalter table t2 rename column ident to id;',
    ),
  });
  const run = await check(cwd, ['--skip', 'impact,lint,generated']);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^rb check: 7 migration\(s\); well-formed ok, round-trip ok \(7 down\(s\) checked\), impact skipped/);
});

test.run();
