import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../src/client.ts';
import { LOCK_KEYS } from '../../src/migrations/migration-lock.ts';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';

function migrations() {
  return {
    '20240101000001_runs.sql': migration(
      "create table runs (file text not null);\ncreate table t1 (id int, email text);\ninsert into runs values ('001');",
      'drop table t1;\ndrop table runs;',
    ),
    '20240101000002_rows.sql': migration(
      "insert into t1 select g, 'u' || g || '@x' from generate_series(1, 20000) g;\ninsert into runs values ('002');",
      'delete from t1;',
    ),
    // Outside a transaction, as CREATE INDEX CONCURRENTLY must be: a waiting rb must not block it.
    '20240101000003_index.sql':
      '-- migrate:up transaction:false\ncreate index concurrently t1_email_idx on t1 (email);\n\n-- migrate:down transaction:false\ndrop index concurrently t1_email_idx;\n',
    '20240101000004_more.sql': migration("insert into runs values ('004');", "delete from runs where file = '004';"),
  };
}

test('8 concurrent rb upgrade runs apply each migration exactly once (with CREATE INDEX CONCURRENTLY) and all exit 0', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(migrations());
  const runs = await Promise.all(Array.from({ length: 8 }, () => runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })));
  for (const run of runs) assert.is(run.code, 0, run.stderr);
  const appliedAll = runs.filter((r) => r.stdout.includes('applied 4 migration(s)'));
  const upToDate = runs.filter((r) => r.stdout.includes('up to date, nothing to apply'));
  assert.is(appliedAll.length, 1, runs.map((r) => r.stdout).join('\n---\n'));
  assert.is(upToDate.length, 7);
  await withSql(url, async (sql) => {
    const files = (await sql`select file from runs order by file`).map((r) => r.file);
    assert.equal(files, ['001', '002', '004'], 'every side effect happened exactly once');
    const versions = await sql`select count(*)::int as n from schema_migrations`;
    assert.is(versions[0].n, 4);
    const index = await sql`select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 't1_email_idx'`;
    assert.equal(index.map((r) => r.indisvalid), [true]);
    const checksums = await sql`select count(*)::int as n from rb_migrations where state = 'applied'`;
    assert.is(checksums[0].n, 4);
  });
});

test('rb upgrade waits for the migration lock, says who holds it, then migrates once it is released', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(migrations());
  const holder = connect(url, { max: 1, connection: { application_name: 'deploy-on-other-host' } });
  try {
    const held = await holder.reserve();
    await held`select pg_advisory_lock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`;
    const running = runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
    // Once rb's lock connection is polling, keep the lock past the 3 s after which rb says who holds it.
    for (let i = 0; ; i++) {
      const polling = await withSql(url, (sql) => sql`select 1 from pg_stat_activity where application_name like 'rb migrate (pid %'`);
      if (polling.length) break;
      if (i > 600) throw new Error('rb never connected to wait for the lock');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 4500));
    const tables = await withSql(url, (sql) => sql`select to_regclass('runs') as reg`);
    assert.is(tables[0].reg, null, 'nothing is applied while another session holds the lock');
    await held`select pg_advisory_unlock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`;
    held.release();
    const run = await running;
    assert.is(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^waiting for the migration lock \(\d+s so far\): held by backend pid \d+ \("deploy-on-other-host"(, client [^,]+)?, connected \d+s ago\)$/m,
    );
    assert.match(run.stdout, 'applied 4 migration(s)');
  } finally {
    await holder.end({ timeout: 5 });
  }
});

test('rb downgrade takes the same lock and removes the checksum of what it rolled back', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject(migrations());
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } })).code, 0);
  const down = await runRb(['downgrade', '2'], { cwd, env: { DATABASE_URL: url } });
  assert.is(down.code, 0, down.stderr);
  assert.match(down.stdout, /^Rolled back: 20240101000004_more.sql\nRolled back: 20240101000003_index.sql\n/);
  await withSql(url, async (sql) => {
    const recorded = (await sql`select version from rb_migrations order by version`).map((r) => r.version);
    assert.equal(recorded, ['20240101000001', '20240101000002']);
    const locks = await sql`select count(*)::int as n from pg_locks where locktype = 'advisory'`;
    assert.is(locks[0].n, 0, 'the lock is released when rb ends');
  });
});

test.run();
