/**
 * A reader that exits early (`rb status | true`, `rb check 2>&1 | head -2`) is not an error: rb
 * finishes its work with its output discarded (so it still cleans up) and exits with the command's
 * own code, as git and npm do; no "Unhandled 'error' event" with a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase, withSql } from '../support/databases.ts';
import { testServer } from '../support/server.ts';
import { migration, rbBin, runRb, startRb, tempProject, type RbRun } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';

const migrated = createMigratedDatabase(import.meta.url);

/** Runs rb with its stdout closed at once by the reader (`| true`). */
async function withClosedStdout(args: string[], cwd: string): Promise<RbRun> {
  const started = startRb(args, { cwd, env: { DATABASE_URL: await migrated } });
  started.child.stdout!.destroy();
  return started.done;
}

for (const args of [['status'], ['current'], ['--help']]) {
  test(`rb ${args.join(' ')} | true: exit 0, nothing on stderr`, async () => {
    const run = await withClosedStdout(args, tempProject());
    assert.is(run.stderr, '');
    assert.is(run.code, 0);
  });
}

test('a closed pipe keeps the command\'s own exit code: rb status of a database it cannot reach still exits 3', async () => {
  const started = startRb(['status'], { cwd: tempProject(), env: { DATABASE_URL: 'postgres://rb@127.0.0.1:1/nowhere' } });
  started.child.stdout!.destroy();
  started.child.stderr!.destroy();
  const run = await started.done;
  assert.is(run.code, 3);
});

test('rb check 2>&1 | head -2: rb ends with the check\'s exit code and drops its scratch database', async () => {
  const cwd = tempProject();
  // Five migrations whose down sections leave something behind: more than two lines to print, over seconds.
  for (let i = 1; i <= 5; i++) {
    writeFileSync(path.join(cwd, 'db', 'migrations', `2024010100000${i}_create_t${i}.sql`), migration(`CREATE TABLE t${i} (id int);`, 'SELECT 1;'));
  }
  const pidFile = path.join(tempDir('pid-'), 'rb.pid');
  // A progress line every 0.4 s on stderr: head has gone while the check is at work on its scratch database.
  const env = { ...process.env, DATABASE_URL: await migrated, RB_PROGRESS_SECONDS: '0.4' };
  // The subshell writes its pid and becomes rb (exec): rb's scratch database is rb_check_<that pid>_*.
  const script = `{ echo $BASHPID > "$PID_FILE"; exec "$NODE" "$RB" check --skip lint,generated; } 2>&1 | head -2; echo "rb exited $\{PIPESTATUS[0]}" >&2`;
  const result = spawnSync('bash', ['-c', script], { cwd, env: { ...env, PID_FILE: pidFile, NODE: process.execPath, RB: rbBin }, encoding: 'utf8' });
  assert.is(result.stdout.split('\n').length, 3, result.stdout); // head's two lines
  const pid = readFileSync(pidFile, 'utf8').trim();
  const left = await withSql((await testServer()).adminUrl, async (sql) => (await sql`select datname from pg_database where datname like ${`rb_check_${pid}_%`}`).map((r) => r.datname));
  assert.equal(left, []);
  // The check's own code: what it exits with when its output is read to the end (1: problems found).
  const whole = await runRb(['check', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: await migrated } });
  assert.is(whole.code, 1, whole.stdout + whole.stderr);
  assert.is(result.stderr, 'rb exited 1\n');
});

test.run();
