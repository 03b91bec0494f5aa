import { copyFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../test/support/databases.ts';
import { runRb, tempProject } from '../test/support/project.ts';

// Sematic's migrations are dbmate files already (SOURCE.md): copy them into a project as they are.
const source = path.join(repoRoot, '..', 'shared', 'acceptance', 'sematic', 'sematic', 'db', 'migrations');

test('rb check on sematic: the real irreversible pair, the downs that leave things behind, the empty downs', async () => {
  const cwd = tempProject();
  const files = readdirSync(source).filter((f) => f.endsWith('.sql'));
  assert.is(files.length, 41);
  for (const file of files) copyFileSync(path.join(source, file), path.join(cwd, 'db', 'migrations', file));
  // No db/schema.sql upstream (they commit a SQLite schema), so that stage is left out.
  const run = await runRb(['check', '--skip', 'generated'], { cwd, env: { DATABASE_URL: await createEmptyDatabase(import.meta.url), RB_CHECK_VERIFY_SNAPSHOTS: '1' } });
  assert.is(run.code, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  const roundTrip = lines.filter((l) => l.includes(': round-trip/'));
  assert.equal(roundTrip, [
    // SOURCE.md: "Rolling back fails ... at 20221004183943_remove_exception_from_runs.sql": its up is
    // commented out, its down adds a column that exists.
    'db/migrations/20221004183943_remove_exception_from_runs.sql:8: round-trip/down-failed: the down section fails right after the up: column "exception" of relation "runs" already exists (SQLSTATE 42701)',
    // The DROP COLUMN in this down is commented out (TODO #302), so the column stays.
    'db/migrations/20230105163857_add_run_cache_key.sql:6: round-trip/left-behind: column public.runs.cache_key was left behind',
    // A table swap (create notes_tmp, copy, drop, rename) undone by another swap: constraint names differ.
    'db/migrations/20230223020405_add_user_id_to_notes.sql:43: round-trip/changed: constraint public.notes.notes_pkey was renamed to notes_tmp_pkey1 (same definition)',
    'db/migrations/20230223020405_add_user_id_to_notes.sql:43: round-trip/changed: constraint public.notes.notes_root_id_fkey was renamed to notes_tmp_root_id_fkey1 (same definition)',
    'db/migrations/20230223020405_add_user_id_to_notes.sql:43: round-trip/changed: constraint public.notes.notes_run_id_fkey was renamed to notes_tmp_run_id_fkey1 (same definition)',
  ]);
  // SOURCE.md: 5 files have an empty or commented-out down.
  assert.equal(
    lines.filter((l) => l.includes(': well-formed/')).map((l) => l.replace(/: well-formed\/empty-down: .*$/, '')),
    [
      'db/migrations/20221202221000_resolution_versions.sql:4',
      'db/migrations/20221212110018_add_original_run_id.sql:4',
      'db/migrations/20230105170402_add_resolution_cache_namespace.sql:4',
      'db/migrations/20230526141354_add_run_command_and_config_to_resolutions.sql:5',
      'db/migrations/20231115163910_runner_resources.sql:5',
    ],
  );
  assert.ok(lines.includes(
    'db/migrations/20230105163857_add_run_cache_key.sql:4: lint/require-concurrent-index-creation: During normal index creation, table updates are blocked, but reads are still allowed (Use `concurrently` to avoid blocking writes)',
  ));
  // The impact stage reads what the ups did: the same index found by its build, not its text.
  assert.ok(lines.includes(
    'db/migrations/20230105163857_add_run_cache_key.sql:4: impact/non-concurrent-index: CREATE INDEX builds index runs_cache_key_index on public.runs without CONCURRENTLY under an ACCESS EXCLUSIVE lock: reads and writes of public.runs wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
  ));
  // 20230222013045_add_user_id_to_runs.sql adds columns with inline REFERENCES and no default:
  // PostgreSQL creates those foreign keys valid without reading the tables, so no constraint-scan.
  assert.ok(lines.includes("db/migrations/20230222013045_add_user_id_to_runs.sql:3: impact/blocking-lock: warning: ALTER TABLE takes an ACCESS EXCLUSIVE lock on public.runs: reads and writes of it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)"));
  assert.match(lines.at(-1)!, /^rb check: 41 migration\(s\); well-formed 5 problem\(s\), round-trip 5 problem\(s\) \(first: 20221004183943_remove_exception_from_runs\.sql\), impact 7 problem\(s\), \d+ warning\(s\) \(first: 20230105163857_add_run_cache_key\.sql\), lint \d+ problem\(s\), generated skipped \(left out with --skip\);/);
});

test.run();
